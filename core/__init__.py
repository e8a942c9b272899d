"""ConvStudio's engine: plain Python and PyTorch, never Qt."""

#: The model registry's names in menu order, importable without PyTorch so the
#: window can list them before torch has loaded (core.models.ARCHS holds the models).
ARCH_NAMES = (
    "mlp",
    "smallcnn",
    "alexnet",
    "vgg11_bn",
    "vgg16_bn",
    "resnet18",
    "resnet34",
    "resnet50",
)

#: Training choices, torch-free so the CLI's --help and the window can list them
#: before torch loads (core.config and core.models check against these).
MODES = ("scratch", "finetune", "feature-extract", "two-stage")
OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULERS = ("none", "step", "cosine", "onecycle")
PRECISIONS = ("auto", "fp32", "bf16")

#: The built-in dataset's source name (the window's default dataset); torch-free too.
BUILTIN_DIGITS = "builtin:digits"

#: Image file endings ConvStudio reads (folder scans, prediction, drops); torch-free
#: for the same reason as ARCH_NAMES.
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
