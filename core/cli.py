"""Headless twin of the app: `python main.py train|predict|augment|convcalc ...`.

Every subcommand calls the same core functions as the GUI. Errors print one line
`error: ...` on stderr (no traceback): exit 2 for bad input, 1 for failures.
Heavy modules (torch) are imported inside the subcommands so `--help` stays quick.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from core import distributed  # torch-free at import: torchrun, --nproc
from core.appdirs import drop_if_empty, fresh_run_dir  # plain Python
from core.cli_progress import ConsoleProgress  # torch-free
from core.config import TrainConfig, flag_fields  # torch-free, for --help
from core.events import TrainControl

VERSION = "0.1.0"
EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(ValueError):
    """Bad command-line input found after parsing (exit 2)."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line `error: ...` and exit code 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(EXIT_USAGE)


# ----------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="convstudio",
        description="ConvStudio: train, inspect and use image classifiers (no arguments: the app).",
    )
    parser.add_argument("--version", action="version", version=f"convstudio {VERSION}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    _add_train(sub)
    _add_predict(sub)
    _add_augment(sub)
    _add_convcalc(sub)
    _add_evaluate(sub)
    _add_export(sub)
    _add_runs(sub)
    _add_lr_find(sub)
    return parser


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a classifier and write a run folder",
        description="Train a model; writes RUN/config.json, metrics.csv, batch_loss.csv, "
        "summary.json, best.pt and last.pt. Unset options take the trainer's defaults (or, "
        "with --resume, the resumed run's values).",
    )
    _add_config_options(p)
    distributed.add_train_options(p)  # --backend, --events, --config
    p.add_argument(
        "--threads", type=int, help="CPU threads for PyTorch (default: PyTorch's choice)"
    )
    p.add_argument("--resume", metavar="RUN/last.pt", help="continue a run from its last.pt")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the run already in --out (without it such a folder is refused; "
        "without --out every run gets a fresh folder <arch>-<date>-<time> in the app's runs "
        "folder, where the Runs tab lists it)",
    )
    p.add_argument("--json", action="store_true", help="print JSON lines instead of text")
    p.set_defaults(func=cmd_train)


def _add_config_options(p: argparse.ArgumentParser, skip: tuple[str, ...] = ()) -> None:
    """One option per TrainConfig field (train, lr-find), unset by default."""
    for name, info, default in flag_fields():
        if name in skip:
            continue
        p.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            type=type(default),
            # --device also takes cuda:N, which TrainConfig.validate() checks
            choices=info.choices if info.choices and name != "device" else None,
            help=f"{info.tip} (default {_DEFAULT_TEXT.get(name, default)})".replace("%", "%%"),
        )


#: what an unset option means where it is not the field's default (cmd_train decides)
_DEFAULT_TEXT = {
    "out": "a new folder <arch>-<date>-<time> in the app's runs folder, e.g. "
    "~/.local/share/ConvStudio/runs; with --resume, the run's"
}


def _add_predict(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predict",
        help="classify images with a saved model bundle",
        description="Classify image files; folders are walked recursively.",
    )
    p.add_argument("--model", required=True, metavar="BUNDLE", help="a best.pt/last.pt bundle")
    p.add_argument("--topk", type=int, default=5, help="classes to report per image (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON list")
    p.add_argument("--csv", metavar="FILE", help="also write the results as CSV")
    p.add_argument("--device", default="cpu", help="cpu (default), cuda or mps")
    p.add_argument(
        "--precision",
        choices=("fp32", "bf16"),
        default="fp32",
        help="fp32 (default): the same answers on every machine; bf16: bfloat16 autocast, "
        "faster on CPUs with AVX512-BF16/AMX but may change close calls",
    )
    p.add_argument("paths", nargs="+", metavar="IMAGE_OR_DIR")
    p.set_defaults(func=cmd_predict)


def _add_augment(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "augment",
        help="render a grid of augmented samples or print the pipeline as code",
        description="Apply an augmentation pipeline to one image N times and save a grid.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset", help="preset name: seed, digits, none")
    src.add_argument("--spec", metavar="FILE", help="a JSON spec file")
    p.add_argument("--image", metavar="IMG", help="the image to augment")
    p.add_argument("--n", type=int, default=16, help="number of samples (default 16)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", default="grid.png", help="output PNG (default grid.png)")
    p.add_argument("--eval", action="store_true", help="use the eval pipeline instead of train")
    p.add_argument("--channels", type=int, choices=(1, 3), help="load the image as 1 or 3 channels")
    p.add_argument(
        "--view",
        choices=("person", "model"),
        default="person",
        help="person: samples scaled to 128 px tiles, as the Augment panel shows them "
        "(default); model: the model's input pixel for pixel (small inputs blown up)",
    )
    p.add_argument("--code", action="store_true", help="print the pipeline as Python source")
    p.set_defaults(func=cmd_augment)


def _add_convcalc(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "convcalc",
        help="convolution output sizes, parameters and receptive fields",
        description="Feature-map sizes, parameter counts and receptive fields of a layer "
        "stack or a registry model.",
    )
    from core import convcalc  # torch-free

    p.epilog = f"Layer specs: {convcalc.SPEC_HELP}."
    convcalc.add_arguments(p)
    p.set_defaults(func=cmd_convcalc)


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate",
        help="accuracy, confusion matrix and per-class figures of a model on labelled data",
        description="Evaluate a bundle on labelled images: accuracy, top-k accuracy, the "
        "confusion matrix, per-class precision/recall/F1, calibration (ECE).",
    )
    p.add_argument("--model", required=True, metavar="BUNDLE", help="a best.pt/last.pt bundle")
    p.add_argument(
        "--data", help="builtin:digits or a folder (default: the data the model was trained on)"
    )
    p.add_argument("--split", choices=("valid", "train", "all"), default="valid")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--csv", metavar="FILE", help="write path,true,pred,prob,true_prob,loss,correct")
    p.add_argument("--report", metavar="DIR", help="write an HTML report with its pictures")
    p.add_argument("--device", default="cpu", help="cpu (default), cuda or mps")
    p.set_defaults(func=cmd_evaluate)


# ----------------------------------------------------------------------------- train


def _train_config(args: argparse.Namespace) -> TrainConfig:
    """TrainConfig from flags; with --resume the resumed run's config fills unset flags."""
    flags = {name: getattr(args, name) for name, _, _ in flag_fields()}
    explicit = {name: value for name, value in flags.items() if value is not None}
    base: dict[str, Any] = {}
    if args.resume:
        base = _resume_config(args.resume)
        base["out"] = str(Path(args.resume).parent)
        if "augment" in explicit:  # a new preset replaces the recorded specs
            base.pop("train_transforms", None)
            base.pop("eval_transforms", None)
    base.update(distributed.config_file(args))  # --config FILE: its values, flags win
    base.update(explicit)
    base["resume"] = args.resume
    pretrained = str(base.get("pretrained") or "none").lower()
    if pretrained != "none" and "mode" not in base:
        base["mode"] = "finetune"  # pretrained weights only make sense beyond scratch
    config = TrainConfig.from_dict(base)
    config.validate()
    return config


def _resume_config(path: str) -> dict:
    from core.checkpoint import load_bundle

    if not Path(path).is_file():
        raise UsageError(f"--resume {path} does not exist; point to a run's last.pt.")
    ckpt = load_bundle(path)
    config = ckpt.get("config")
    if not isinstance(config, dict):
        raise UsageError(f"{path} holds no training config; resume from a run's last.pt.")
    return dict(config)


def cmd_train(args: argparse.Namespace) -> int:
    from core.trainer import fit

    config = _train_config(args)
    progress = distributed.progress_callback(args, ConsoleProgress(as_json=args.json))
    if args.threads is not None and args.threads < 1:
        raise UsageError("--threads must be at least 1.")
    if distributed.wanted(config):  # under torchrun, or --nproc N: core.distributed
        return distributed.cli_train(args, config, progress)
    fresh = None
    if args.out is None and not args.resume:  # a new folder: never an earlier run's
        fresh = fresh_run_dir(config.arch)  # the app's runs folder: the Runs tab lists it
        config.out = str(fresh)
    if args.threads is not None:
        import torch

        torch.set_num_threads(args.threads)
    control = TrainControl()

    def _on_sigint(signum, frame) -> None:  # first Ctrl-C: stop cleanly; second: abort
        print("\nstopping after this batch (Ctrl-C again to abort) ...", file=sys.stderr)
        control.stop()
        signal.signal(signal.SIGINT, previous)

    previous = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGINT, _on_sigint)
    except ValueError:  # not the main thread
        previous = None
    try:
        summary = fit(config, [progress], control, overwrite=args.overwrite)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        drop_if_empty(fresh)  # it failed before writing anything: leave no empty folder
    return EXIT_OK if summary.get("best_epoch") or summary.get("stopped") else EXIT_FAILURE


# ----------------------------------------------------------------------------- predict


def cmd_predict(args: argparse.Namespace) -> int:
    from core.checkpoint import check_model_path
    from core.predict import Predictor, check_csv_target, clamp_k, iter_image_files, write_csv
    from core.predict_checks import format_topk
    from core.textsafe import printable

    if args.topk < 1:
        raise UsageError("--topk must be at least 1.")
    check_model_path(args.model)  # missing, a folder, /dev/zero: one line each
    files = iter_image_files(args.paths)  # missing paths are kept and reported as errors
    if not files:
        raise UsageError("no image files found in the given paths.")
    if args.csv:  # before any work: never write over the model or an input image
        check_csv_target(args.csv, args.model, files)
    predictor = Predictor(args.model, device=args.device, precision=args.precision)
    classes = len(predictor.class_names)
    k = clamp_k(args.topk, classes)  # --topk 100000000 asks for the class count at most
    preds = predictor.predict_many(files, k=k)
    if args.csv:
        write_csv(preds, args.csv, k=k, num_classes=classes)
    if args.json:
        print(json.dumps([p.to_dict() for p in preds]))
    else:  # names that are not UTF-8 print with their bytes as \xNN (core.textsafe)
        for p in preds:
            if p.error:
                print(f"{printable(p.path)}: error: {printable(p.error)}")
            else:
                ranked = [(printable(name), prob) for name, prob in p.topk]
                print(f"{printable(p.path)}: {format_topk(ranked)}")  # "0: 99.7%, 9: 0.2%"
    ok = sum(1 for p in preds if not p.error)
    if ok == 0:
        print("error: none of the images could be classified.", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


# ----------------------------------------------------------------------------- augment


def _load_specs(args: argparse.Namespace) -> dict:
    from core import augment

    if args.spec:
        return augment.load_spec_file(args.spec)
    return augment.get_preset(args.preset)


def cmd_augment(args: argparse.Namespace) -> int:
    from core import augment

    specs = _load_specs(args)
    spec = specs["eval" if args.eval else "train"]
    if args.code:
        print(augment.spec_to_code(spec), end="")
        if not args.image:
            return EXIT_OK
    if not args.image:
        raise UsageError("--image is required to render a grid (or use --code alone).")
    if not 1 <= args.n <= 256:
        raise UsageError("--n must be between 1 and 256.")
    grid = render_augment_grid(spec, args.image, args.n, args.seed, args.channels, args.view)
    out = Path(args.out)
    if out.parent and not out.parent.exists():
        raise UsageError(f"the folder of --out {out} does not exist.")
    grid.save(out, format="PNG")
    if not args.code:
        print(f"wrote {args.n} samples to {out}")
    return EXIT_OK


def render_augment_grid(
    spec: list, image_path: str, n: int, seed: int, channels: int | None, view: str = "person"
):
    """The Augment panel's grid of ``n`` seeded samples of one image, as a PIL image.

    core.augment.sample_grid renders it for both, so the same spec, image, seed, n
    and view give the same pixels here and in the panel.
    """
    from PIL import Image

    from core import augment
    from core.data import load_image

    if channels is None:
        stats = augment.normalize_stats(spec)
        channels = len(stats[0]) if stats and len(stats[0]) in (1, 3) else 3
    image = load_image(image_path, channels=channels)
    grid = augment.sample_grid(spec, [image], n, seed, view=view)
    return Image.fromarray(grid.pixels, "RGB")


# ----------------------------------------------------------------------------- convcalc


def cmd_convcalc(args: argparse.Namespace) -> int:
    from core import convcalc

    return convcalc.run_args(args)  # the arguments came from convcalc.add_arguments


def cmd_evaluate(args: argparse.Namespace) -> int:
    from core import report

    return report.run_args(args)


# ----------------------------------------------------------------------------- export

EXPORT_FORMATS = ("torchscript", "onnx", "snippet", "script")  # core.export.FORMATS, torch-free


def _add_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="export a bundle as TorchScript, ONNX, a usage snippet or a training script",
        description="Write a model bundle as a TorchScript or ONNX file (run on a few images "
        "and compared with the bundle before it is kept: same top-1, logits within 1e-4), "
        "a snippet that shows how to use those files outside ConvStudio, or the run as a "
        'plain PyTorch training script. ONNX needs: pip install -e ".[export]"',
    )
    p.add_argument("--model", required=True, metavar="BUNDLE", help="a best.pt/last.pt bundle")
    p.add_argument("--format", required=True, dest="fmt", choices=EXPORT_FORMATS)
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    p.add_argument(
        "--check",
        nargs="+",
        metavar="IMAGE_OR_DIR",
        help="images to check the exported model on (default: samples of the run's dataset "
        "and synthetic images)",
    )
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    if args.check and args.fmt not in ("torchscript", "onnx"):
        raise UsageError("--check applies to --format torchscript and onnx only.")
    missing = [p for p in args.check or [] if not Path(p).exists()]
    if missing:
        raise UsageError(f"--check {missing[0]} does not exist.")
    out = Path(args.out)
    if out.is_dir():
        raise UsageError(f"--out {out} is a folder; give a file name such as model.onnx.")
    if not out.parent.is_dir():
        raise UsageError(f"the folder of --out {out} does not exist.")
    from core.checkpoint import check_model_path
    from core.export import export_model

    check_model_path(args.model)  # missing, a folder, /dev/zero: one line each
    result = export_model(args.model, args.fmt, out, check_images=args.check)
    print(json.dumps(result.to_dict()) if args.json else result.text())
    return EXIT_OK


# ----------------------------------------------------------------------------- runs


def _add_runs(sub: argparse._SubParsersAction) -> None:
    from core import runs_cmd

    p = sub.add_parser(
        "runs",
        help="list run folders, or show how two runs' settings differ",
        description="List every run folder under --dir: name, date, data, architecture, "
        "mode, augmentation, epochs done/planned, best validation accuracy and epoch, "
        "train images/s, wall time, status (running, finished, stopped, failed, incomplete, "
        "not a run) and note. --diff RUN_A RUN_B prints only the settings that differ.",
    )
    runs_cmd.add_arguments(p)
    p.set_defaults(func=cmd_runs)


def cmd_runs(args: argparse.Namespace) -> int:
    from core import runs_cmd

    return runs_cmd.run_args(args)


# ----------------------------------------------------------------------------- lr-find

# settings the range test does not use (it sets the learning rate itself, writes nothing)
LR_FIND_SKIP = ("lr", "epochs", "scheduler", "step_size", "gamma", "out", "nproc")
LR_FIND_SKIP += ("best_metric", "early_stop", "min_delta")


def _add_lr_find(sub: argparse._SubParsersAction) -> None:
    from core import lrfind

    p = sub.add_parser(
        "lr-find",
        help="suggest a learning rate with the range test",
        description="The learning-rate range test on a copy of the model: one mini-batch "
        "per learning rate, grown exponentially from --start to --end, until the smoothed "
        "loss diverges. Suggests the rate where the loss falls fastest. Writes nothing.",
    )
    _add_config_options(p, skip=LR_FIND_SKIP)
    lrfind.add_arguments(p)
    p.set_defaults(func=cmd_lr_find, resume=None, **dict.fromkeys(LR_FIND_SKIP))


def cmd_lr_find(args: argparse.Namespace) -> int:
    from core import lrfind

    return lrfind.run_args(args, _train_config(args))


# ----------------------------------------------------------------------------- main


def _error_exit(exc: BaseException, code: int) -> int:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    sys.stderr.write(f"error: {msg}\n")
    if os.environ.get("CONVSTUDIO_DEBUG"):
        import traceback

        traceback.print_exception(exc)
    return code


def _prefer_passive_threads() -> None:
    """Let idle OpenMP threads sleep instead of spinning (unless the user chose otherwise).

    On a CPU shared with other processes, spinning PyTorch threads wait on descheduled
    peers: training here measured 3-5x faster with PASSIVE under load. OpenMP reads the
    variable when torch loads, so this must run before the first torch import.
    """
    if "torch" not in sys.modules:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse argv and run one subcommand; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _prefer_passive_threads()
    for stream in (sys.stdout, sys.stderr):  # a stray undecodable name never kills output
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help/--version (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        if args.func is not cmd_convcalc:  # the others read images; convcalc stays torch-free
            from core.data import reuse_image_memory

            reuse_image_memory()
        return args.func(args)
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted.\n")
        return 130
    except ValueError as exc:  # ConfigError, DataError, SpecError, ModelError, BundleError ...
        return _error_exit(exc, EXIT_USAGE)
    except (RuntimeError, OSError) as exc:  # TrainingError, WeightsError, disk errors ...
        return _error_exit(exc, EXIT_FAILURE)
    except Exception as exc:  # last resort: one line, never a traceback
        return _error_exit(exc, EXIT_FAILURE)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
