<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AugmentPanel</name>
    <message>
        <source>Save preset</source>
        <translation>保存预设</translation>
    </message>
    <message>
        <source>Load pipeline</source>
        <translation>载入流水线</translation>
    </message>
    <message>
        <source>Save pipeline</source>
        <translation>保存流水线</translation>
    </message>
    <message>
        <source>{pipeline} step {number}: {transform}</source>
        <translation>{pipeline} 第 {number} 步：{transform}</translation>
    </message>
    <message>
        <source>{pipeline}: {problem}</source>
        <translation>{pipeline}：{problem}</translation>
    </message>
    <message>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>eval</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Copied both pipelines to the clipboard as torchvision code.</source>
        <translation>已把两条流水线作为 torchvision 代码复制到剪贴板。</translation>
    </message>
    <message>
        <source>No pipeline of your own yet: edit a step and it becomes (custom).</source>
        <translation>还没有你自己的流水线：修改任一步骤，它就成为“(自定义)”。</translation>
    </message>
    <message>
        <source>Preview an image</source>
        <translation>预览一张图像</translation>
    </message>
    <message>
        <source>Images (*.*)</source>
        <translation>图像 (*.*)</translation>
    </message>
</context>
<context>
    <name>AugmentPreview</name>
    <message>
        <source>The opened picture is shown in grey: this pipeline&apos;s Normalize has 1 value, so the model gets grayscale images; training converts every picture the same way.</source>
        <translation>打开的图片以灰度显示：这条流水线的 Normalize 只有 1 个值，所以模型得到的是灰度图像；训练时每张图片都会这样转换。</translation>
    </message>
    <message>
        <source>The opened picture is shown in grey: the dataset is grayscale, so the model gets grayscale images; training converts every picture the same way.</source>
        <translation>打开的图片以灰度显示：数据集是灰度的，所以模型得到的是灰度图像；训练时每张图片都会这样转换。</translation>
    </message>
    <message>
        <source>The dataset is grayscale but this pipeline&apos;s Normalize has 3 values: its images are repeated to 3 channels (RGB) for training, validation and this preview.</source>
        <translation>数据集是灰度的，但这条流水线的 Normalize 有 3 个值：训练、验证和本预览都会把它的图像复制成 3 个通道（RGB）。</translation>
    </message>
    <message>
        <source>The dataset is in colour but this pipeline&apos;s Normalize has 1 value: its images are converted to grayscale for training, validation and this preview.</source>
        <translation>数据集是彩色的，但这条流水线的 Normalize 只有 1 个值：训练、验证和本预览都会把它的图像转成灰度。</translation>
    </message>
</context>
<context>
    <name>AugmentSession</name>
    <message>
        <source>Loading images of {source}…</source>
        <extracomment>builds the next preview from the panel&apos;s controls (None: nothing to show)</extracomment>
        <translation>正在载入 {source} 的图像…</translation>
    </message>
    <message>
        <source>Could not load preview images: {reason}</source>
        <translation>无法载入预览图像：{reason}</translation>
    </message>
    <message>
        <source>Cannot use that file: {reason}</source>
        <translation>无法使用该文件：{reason}</translation>
    </message>
    <message>
        <source>Preview starts once PyTorch has loaded…</source>
        <translation>PyTorch 载入后开始预览…</translation>
    </message>
    <message>
        <source>Preview failed: {reason}</source>
        <translation>预览失败：{reason}</translation>
    </message>
</context>
<context>
    <name>CalculatorPanel</name>
    <message>
        <source>Single layer</source>
        <translation>单层</translation>
    </message>
    <message>
        <source>Layer stack</source>
        <translation>层堆叠</translation>
    </message>
    <message>
        <source>From model</source>
        <translation>来自模型</translation>
    </message>
</context>
<context>
    <name>CalculatorTable</name>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>params</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>RF</source>
        <translation>感受野</translation>
    </message>
    <message>
        <source>jump</source>
        <translation>跳步</translation>
    </message>
    <message>
        <source>notes</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>receptive field: input pixels one output sees</source>
        <translation>感受野：一个输出看到的输入像素范围</translation>
    </message>
    <message>
        <source>jump: input pixels between two neighbouring outputs</source>
        <translation>跳步：相邻两个输出在输入上相隔的像素数</translation>
    </message>
</context>
<context>
    <name>Calibration</name>
    <message>
        <source>calibration n/a</source>
        <translation>校准：无</translation>
    </message>
    <message>
        <source>ECE {ece} (confidence matches accuracy)</source>
        <translation>ECE {ece}（置信度与准确率相符）</translation>
    </message>
    <message>
        <source>ECE {ece} (overconfident by {gap})</source>
        <translation>ECE {ece}（过度自信 {gap}）</translation>
    </message>
    <message>
        <source>ECE {ece} (underconfident by {gap})</source>
        <translation>ECE {ece}（信心不足 {gap}）</translation>
    </message>
</context>
<context>
    <name>ClassCounts</name>
    <message>
        <source>images</source>
        <translation>图像数</translation>
    </message>
</context>
<context>
    <name>ConfusionModel</name>
    <message numerus="yes">
        <source>true {true}, predicted {predicted}: %n image(s) ({share} of the {total} &apos;{true}&apos; images). Click to see them.</source>
        <translation>
            <numerusform>真实 {true}，预测 {predicted}：%n 张图像（占 {total} 张“{true}”图像的 {share}）。点击查看。</numerusform>
        </translation>
    </message>
    <message>
        <source>predicted class {name}</source>
        <translation>预测类别 {name}</translation>
    </message>
    <message>
        <source>true class {name}</source>
        <translation>真实类别 {name}</translation>
    </message>
</context>
<context>
    <name>CoreMessages</name>
    <message>
        <source>{step} {size} is larger than the {image} image: the border is filled with black; resize first or use a smaller crop.</source>
        <translation>{step} {size} 比 {image} 的图像大：边缘会填成黑色；请先缩放，或用更小的裁剪。</translation>
    </message>
    <message>
        <source>{step} {size} is larger than the {image} image: it is padded to fit; resize first or use a smaller crop.</source>
        <translation>{step} {size} 比 {image} 的图像大：会先填充到合适大小；请先缩放，或用更小的裁剪。</translation>
    </message>
    <message>
        <source>{step} {size} is larger than the {image} image and will fail; resize first, use a smaller crop, or turn on pad_if_needed.</source>
        <translation>{step} {size} 比 {image} 的图像大，会出错；请先缩放、用更小的裁剪，或打开 pad_if_needed。</translation>
    </message>
    <message>
        <source>no Normalize step, but the pretrained weights expect inputs normalized with mean {mean} and std {std}; add Normalize with those values.</source>
        <translation>没有 Normalize 步骤，但预训练权重期望输入按均值 {mean}、标准差 {std} 标准化；请用这些值添加 Normalize。</translation>
    </message>
    <message>
        <source>Normalize mean/std differ from the pretrained weights&apos; statistics (mean {mean}, std {std}); the pretrained features expect those values.</source>
        <translation>Normalize 的均值/标准差与预训练权重的统计量（均值 {mean}，标准差 {std}）不同；预训练特征期望的是这些值。</translation>
    </message>
    <message>
        <source>{step} comes before ToTensor and does nothing on a PIL image; move it after ToTensor.</source>
        <translation>{step} 位于 ToTensor 之前，对 PIL 图像不起作用；请把它移到 ToTensor 之后。</translation>
    </message>
    <message>
        <source>{step} comes before ToTensor and will fail on a PIL image; move it after ToTensor.</source>
        <translation>{step} 位于 ToTensor 之前，作用于 PIL 图像时会出错；请把它移到 ToTensor 之后。</translation>
    </message>
    <message>
        <source>{step} comes after Normalize and works on normalized values; move it before Normalize.</source>
        <translation>{step} 位于 Normalize 之后，处理的是标准化后的数值；请把它移到 Normalize 之前。</translation>
    </message>
    <message>
        <source>no ToTensor step: the pipeline ends with an image, not the tensor a model needs; add ToTensor (before Normalize).</source>
        <translation>没有 ToTensor 步骤：流水线输出的是图像，而不是模型需要的张量；请添加 ToTensor（放在 Normalize 之前）。</translation>
    </message>
    <message>
        <source>output: {mode} image {height}x{width} — not a tensor; add ToTensor.</source>
        <translation>输出：{mode} 图像 {height}x{width} —— 不是张量；请添加 ToTensor。</translation>
    </message>
    <message>
        <source>model input: {shape} {dtype}</source>
        <translation>模型输入：{shape} {dtype}</translation>
    </message>
    <message>
        <source>model input: {shape} {dtype}, normalized with mean [{mean}] std [{std}] (shown un-normalized)</source>
        <translation>模型输入：{shape} {dtype}，按均值 [{mean}]、标准差 [{std}] 标准化（显示时已还原）</translation>
    </message>
    <message>
        <source>{description}; sampled from the picture reduced from {w0}x{h0} to {w1}x{h1} to save memory</source>
        <translation>{description}；为节省内存，从缩小到 {w1}x{h1}（原为 {w0}x{h0}）的图片采样</translation>
    </message>
    <message>
        <source>step {number} ({name})</source>
        <translation>第 {number} 步（{name}）</translation>
    </message>
    <message>
        <source>{where}: {field} {problem}.</source>
        <translation>{where}：{field} {problem}。</translation>
    </message>
    <message>
        <source>must be a finite number, got {value}</source>
        <translation>必须是有限数，当前为 {value}</translation>
    </message>
    <message>
        <source>must be &gt; {bound}, got {value}</source>
        <translation>必须 &gt; {bound}，当前为 {value}</translation>
    </message>
    <message>
        <source>must be &gt;= {bound}, got {value}</source>
        <translation>必须 &gt;= {bound}，当前为 {value}</translation>
    </message>
    <message>
        <source>must be &lt;= {bound}, got {value}</source>
        <translation>必须 &lt;= {bound}，当前为 {value}</translation>
    </message>
    <message>
        <source>must be a list of numbers, got {value}</source>
        <translation>必须是数字列表，当前为 {value}</translation>
    </message>
    <message>
        <source>must have {count} values, got {got}</source>
        <translation>必须有 {count} 个值，当前有 {got} 个</translation>
    </message>
    <message>
        <source>must be [min, max] with min &lt;= max, got {value}</source>
        <translation>必须是 [最小, 最大] 且最小 &lt;= 最大，当前为 {value}</translation>
    </message>
    <message>
        <source>must be odd, got {value}</source>
        <translation>必须是奇数，当前为 {value}</translation>
    </message>
    <message>
        <source>must be below num_magnitude_bins ({bins}), got {value}</source>
        <translation>必须小于 num_magnitude_bins（{bins}），当前为 {value}</translation>
    </message>
    <message>
        <source>must have as many values as mean ({count}), got {got}</source>
        <translation>值的个数必须与 mean 相同（{count} 个），当前有 {got} 个</translation>
    </message>
    <message>
        <source>only works with a single-number size; turn it off</source>
        <translation>只能与单个数字的 size 一起使用；请关闭它</translation>
    </message>
    <message>
        <source>must be larger than size ({size})</source>
        <translation>必须大于 size（{size}）</translation>
    </message>
    <message>
        <source>How pixels are resampled: nearest keeps hard edges, bilinear/bicubic smooth.</source>
        <translation>像素的重采样方式：nearest 保留锐利边缘，bilinear/bicubic 更平滑。</translation>
    </message>
    <message>
        <source>Value for pixels uncovered by the transform (0..255 on images, 0..1 after ToTensor).</source>
        <translation>变换后未被覆盖的像素取值（图像上为 0..255，ToTensor 之后为 0..1）。</translation>
    </message>
    <message>
        <source>Probability that {what}.</source>
        <extracomment>the help of every probability ``p``: ``what`` is a template of its own</extracomment>
        <translation>{what}的概率。</translation>
    </message>
    <message>
        <source>Number of strength levels.</source>
        <translation>强度等级的数量。</translation>
    </message>
    <message>
        <source>Target size: one number resizes the shorter side to it (keeps the aspect ratio); [h, w] gives the exact output size.</source>
        <translation>目标尺寸：一个数字表示把短边缩放到该值（保持宽高比）；[h, w] 给出精确的输出尺寸。</translation>
    </message>
    <message>
        <source>Upper bound for the longer side after resizing (only with a single-number size); off = no bound.</source>
        <translation>缩放后长边的上限（仅用于单个数字的 size）；关闭 = 不设上限。</translation>
    </message>
    <message>
        <source>Smooth before shrinking to avoid aliasing.</source>
        <translation>缩小前先平滑，以避免锯齿（混叠）。</translation>
    </message>
    <message>
        <source>Resize the image (deterministic).</source>
        <translation>缩放图像（确定性）。</translation>
    </message>
    <message>
        <source>Size of the central crop: one number for a square, or [h, w]. A crop larger than the image pads it with zeros.</source>
        <translation>中心裁剪的尺寸：一个数字表示正方形，或 [h, w]。裁剪比图像大时用 0 填充。</translation>
    </message>
    <message>
        <source>Cut the centre of the image (deterministic).</source>
        <translation>裁出图像中心（确定性）。</translation>
    </message>
    <message>
        <source>Size of the crop: one number for a square, or [h, w].</source>
        <translation>裁剪尺寸：一个数字表示正方形，或 [h, w]。</translation>
    </message>
    <message>
        <source>Pixels added on every border before cropping; off = none.</source>
        <translation>裁剪前在每条边上添加的像素数；关闭 = 不添加。</translation>
    </message>
    <message>
        <source>Pad the image when it is smaller than the crop instead of failing.</source>
        <translation>图像比裁剪尺寸小时先填充，而不是报错。</translation>
    </message>
    <message>
        <source>How padded pixels are filled: constant uses fill, edge repeats the border, reflect/symmetric mirror the image.</source>
        <translation>填充像素的方式：constant 使用 fill 的值，edge 重复边缘，reflect/symmetric 镜像图像。</translation>
    </message>
    <message>
        <source>Cut a crop at a random position.</source>
        <translation>在随机位置裁剪。</translation>
    </message>
    <message>
        <source>Output size after the crop is resized: one number for a square, or [h, w].</source>
        <translation>裁剪并缩放后的输出尺寸：一个数字表示正方形，或 [h, w]。</translation>
    </message>
    <message>
        <source>Range of the crop&apos;s area as a fraction of the image area, [min, max].</source>
        <translation>裁剪面积占图像面积的比例范围，[最小, 最大]。</translation>
    </message>
    <message>
        <source>Range of the crop&apos;s aspect ratio (w/h), [min, max].</source>
        <translation>裁剪宽高比（w/h）的范围，[最小, 最大]。</translation>
    </message>
    <message>
        <source>Crop a random area and aspect ratio, then resize it (the ImageNet classic).</source>
        <translation>随机面积和宽高比裁剪后再缩放（ImageNet 的经典做法）。</translation>
    </message>
    <message>
        <source>Maximum rotation: the angle is drawn from [-degrees, +degrees].</source>
        <translation>最大旋转角：角度从 [-degrees, +degrees] 中随机抽取。</translation>
    </message>
    <message>
        <source>Grow the output so the whole rotated image fits (the size then changes from sample to sample).</source>
        <translation>扩大输出，使整张旋转后的图像都能放下（此时每个样本的尺寸会不同）。</translation>
    </message>
    <message>
        <source>Rotate by a random angle.</source>
        <translation>按随机角度旋转。</translation>
    </message>
    <message>
        <source>the image is mirrored left-right</source>
        <translation>图像左右镜像</translation>
    </message>
    <message>
        <source>Mirror left-right at random.</source>
        <translation>随机左右镜像。</translation>
    </message>
    <message>
        <source>the image is flipped upside down</source>
        <translation>图像上下翻转</translation>
    </message>
    <message>
        <source>Flip upside down at random.</source>
        <translation>随机上下翻转。</translation>
    </message>
    <message>
        <source>Maximum shift as a fraction of width and height, [x, y]; off = no shift.</source>
        <translation>最大平移量（占宽、高的比例），[x, y]；关闭 = 不平移。</translation>
    </message>
    <message>
        <source>Range of the zoom factor, [min, max]; off = no zoom.</source>
        <translation>缩放倍数的范围，[最小, 最大]；关闭 = 不缩放。</translation>
    </message>
    <message>
        <source>Maximum shear angle along x, drawn from [-shear, +shear]; off = no shear.</source>
        <translation>沿 x 方向的最大错切角，从 [-shear, +shear] 中抽取；关闭 = 不错切。</translation>
    </message>
    <message>
        <source>Random rotation, shift, zoom and shear in one step.</source>
        <translation>一步完成随机旋转、平移、缩放和错切。</translation>
    </message>
    <message>
        <source>How strongly the corners move (0 = not at all, 1 = a lot).</source>
        <translation>四个角移动的程度（0 = 不动，1 = 很大）。</translation>
    </message>
    <message>
        <source>the perspective change is applied</source>
        <translation>应用透视变换</translation>
    </message>
    <message>
        <source>Tilt the image as if seen from another angle.</source>
        <translation>倾斜图像，好像从另一个角度看。</translation>
    </message>
    <message>
        <source>Pixels added on every border.</source>
        <translation>在每条边上添加的像素数。</translation>
    </message>
    <message>
        <source>How padded pixels are filled.</source>
        <translation>填充像素的方式。</translation>
    </message>
    <message>
        <source>Add a border around the image (deterministic).</source>
        <translation>在图像四周加边框（确定性）。</translation>
    </message>
    <message>
        <source>Brightness factor drawn from [1-b, 1+b]; 0 = unchanged.</source>
        <translation>亮度系数从 [1-b, 1+b] 中抽取；0 = 不变。</translation>
    </message>
    <message>
        <source>Contrast factor drawn from [1-c, 1+c]; 0 = unchanged.</source>
        <translation>对比度系数从 [1-c, 1+c] 中抽取；0 = 不变。</translation>
    </message>
    <message>
        <source>Saturation factor drawn from [1-s, 1+s]; 0 = unchanged.</source>
        <translation>饱和度系数从 [1-s, 1+s] 中抽取；0 = 不变。</translation>
    </message>
    <message>
        <source>Hue shift drawn from [-h, h] (fraction of the colour wheel); 0 = unchanged.</source>
        <translation>色调偏移从 [-h, h] 中抽取（占色环的比例）；0 = 不变。</translation>
    </message>
    <message>
        <source>Randomly change brightness, contrast, saturation and hue.</source>
        <translation>随机改变亮度、对比度、饱和度和色调。</translation>
    </message>
    <message>
        <source>the image is turned gray (channel count is kept)</source>
        <translation>图像转为灰度（通道数保持不变）</translation>
    </message>
    <message>
        <source>Turn gray at random, keeping the number of channels.</source>
        <translation>随机转为灰度，保持通道数不变。</translation>
    </message>
    <message>
        <source>Channels of the gray result: 1, or 3 identical ones for models that expect RGB.</source>
        <translation>灰度结果的通道数：1，或为期望 RGB 的模型输出 3 个相同的通道。</translation>
    </message>
    <message>
        <source>Always turn gray.</source>
        <translation>总是转为灰度。</translation>
    </message>
    <message>
        <source>Blur kernel size in pixels (odd).</source>
        <translation>模糊卷积核的尺寸（像素，奇数）。</translation>
    </message>
    <message>
        <source>Range of the blur strength (standard deviation), [min, max].</source>
        <translation>模糊强度（标准差）的范围，[最小, 最大]。</translation>
    </message>
    <message>
        <source>Blur with a random strength.</source>
        <translation>以随机强度模糊。</translation>
    </message>
    <message>
        <source>0 = blurred, 1 = unchanged, 2 = twice as sharp.</source>
        <translation>0 = 模糊，1 = 不变，2 = 锐利一倍。</translation>
    </message>
    <message>
        <source>the sharpness is changed</source>
        <translation>改变锐度</translation>
    </message>
    <message>
        <source>Sharpen (or soften) at random.</source>
        <translation>随机锐化（或柔化）。</translation>
    </message>
    <message>
        <source>the contrast is stretched to the full range</source>
        <translation>对比度拉伸到全范围</translation>
    </message>
    <message>
        <source>Stretch the contrast at random.</source>
        <translation>随机拉伸对比度。</translation>
    </message>
    <message>
        <source>the histogram is equalized</source>
        <translation>直方图均衡化</translation>
    </message>
    <message>
        <source>Equalize the histogram at random.</source>
        <translation>随机做直方图均衡化。</translation>
    </message>
    <message>
        <source>the colours are inverted</source>
        <translation>颜色反转</translation>
    </message>
    <message>
        <source>Invert the colours at random.</source>
        <translation>随机反转颜色。</translation>
    </message>
    <message>
        <source>Bits kept per channel (fewer = fewer colours).</source>
        <translation>每个通道保留的位数（越少颜色越少）。</translation>
    </message>
    <message>
        <source>the image is posterized</source>
        <translation>图像色调分离</translation>
    </message>
    <message>
        <source>Reduce the number of colours at random.</source>
        <translation>随机减少颜色数量。</translation>
    </message>
    <message>
        <source>Pixels above this value are inverted (0..255 on images, 0..1 after ToTensor).</source>
        <translation>高于此值的像素会被反转（图像上为 0..255，ToTensor 之后为 0..1）。</translation>
    </message>
    <message>
        <source>the image is solarized</source>
        <translation>图像曝光反转</translation>
    </message>
    <message>
        <source>Invert the bright pixels at random.</source>
        <translation>随机反转明亮的像素。</translation>
    </message>
    <message>
        <source>Learned policy: which dataset it was found on.</source>
        <translation>学到的策略：在哪个数据集上搜索得到。</translation>
    </message>
    <message>
        <source>A learned policy of random operations (Cubuk et al.).</source>
        <translation>学到的随机操作策略（Cubuk 等）。</translation>
    </message>
    <message>
        <source>How many random operations are applied in a row.</source>
        <translation>连续应用的随机操作个数。</translation>
    </message>
    <message>
        <source>Strength of every operation (must be below num_magnitude_bins).</source>
        <translation>每个操作的强度（必须小于 num_magnitude_bins）。</translation>
    </message>
    <message>
        <source>N random operations at a fixed strength (Cubuk et al.).</source>
        <translation>以固定强度应用 N 个随机操作（Cubuk 等）。</translation>
    </message>
    <message>
        <source>One random operation at a random strength (Müller &amp; Hutter).</source>
        <translation>以随机强度应用一个随机操作（Müller 与 Hutter）。</translation>
    </message>
    <message>
        <source>Convert the image to a float tensor in [0, 1], channels first (v2.ToImage + v2.ToDtype(float32, scale=True)).</source>
        <translation>把图像转成 [0, 1] 内的浮点张量，通道在前（v2.ToImage + v2.ToDtype(float32, scale=True)）。</translation>
    </message>
    <message>
        <source>Per-channel mean subtracted (one value per channel).</source>
        <translation>每个通道要减去的均值（每个通道一个值）。</translation>
    </message>
    <message>
        <source>Per-channel standard deviation divided by (one value per channel).</source>
        <translation>每个通道要除以的标准差（每个通道一个值）。</translation>
    </message>
    <message>
        <source>Subtract the mean and divide by the std per channel (needs a tensor).</source>
        <translation>逐通道减去均值再除以标准差（需要张量）。</translation>
    </message>
    <message>
        <source>a rectangle is erased</source>
        <translation>擦除一个矩形</translation>
    </message>
    <message>
        <source>Range of the erased area as a fraction of the image, [min, max].</source>
        <translation>擦除面积占图像的比例范围，[最小, 最大]。</translation>
    </message>
    <message>
        <source>Range of the erased rectangle&apos;s aspect ratio, [min, max].</source>
        <translation>擦除矩形宽高比的范围，[最小, 最大]。</translation>
    </message>
    <message>
        <source>Value written into the erased rectangle.</source>
        <translation>写入擦除矩形的值。</translation>
    </message>
    <message>
        <source>Blank out a random rectangle (needs a tensor: put it after ToTensor).</source>
        <translation>随机擦除一个矩形（需要张量：放在 ToTensor 之后）。</translation>
    </message>
    <message>
        <source>Mean of the added noise.</source>
        <translation>所加噪声的均值。</translation>
    </message>
    <message>
        <source>Standard deviation of the added noise.</source>
        <translation>所加噪声的标准差。</translation>
    </message>
    <message>
        <source>Clip the result to [0, 1].</source>
        <translation>把结果截断到 [0, 1]。</translation>
    </message>
    <message>
        <source>Add Gaussian noise (needs a float tensor: put it after ToTensor).</source>
        <translation>添加高斯噪声（需要浮点张量：放在 ToTensor 之后）。</translation>
    </message>
    <message>
        <source>{source} is not a ConvStudio model bundle (it holds a {type}); open a best.pt or last.pt from a ConvStudio run folder.</source>
        <translation>{source} 不是 ConvStudio 模型包（里面是一个 {type}）；请打开 ConvStudio 运行文件夹中的 best.pt 或 last.pt。</translation>
    </message>
    <message>
        <source>a plain PyTorch state_dict</source>
        <translation>一个普通的 PyTorch state_dict</translation>
    </message>
    <message>
        <source>a dict without the bundle format marker</source>
        <translation>一个没有模型包格式标记的字典</translation>
    </message>
    <message>
        <source>{source} is {kind}, not a ConvStudio model bundle; open a best.pt or last.pt from a ConvStudio run folder.</source>
        <translation>{source} 是{kind}，不是 ConvStudio 模型包；请打开 ConvStudio 运行文件夹中的 best.pt 或 last.pt。</translation>
    </message>
    <message>
        <source>{source} has an invalid bundle version ({version}).</source>
        <translation>{source} 的模型包版本无效（{version}）。</translation>
    </message>
    <message>
        <source>{source} was written by a newer ConvStudio (bundle version {version}); update ConvStudio to open it.</source>
        <translation>{source} 由更新版本的 ConvStudio 写入（模型包版本 {version}）；请升级 ConvStudio 后再打开。</translation>
    </message>
    <message>
        <source>{source} is an incomplete bundle: it lacks {keys}.</source>
        <translation>{source} 是不完整的模型包：缺少 {keys}。</translation>
    </message>
    <message>
        <source>{source} uses the architecture &apos;{arch}&apos;, which this version of ConvStudio does not know.</source>
        <translation>{source} 使用的网络结构“{arch}”是此版本 ConvStudio 不认识的。</translation>
    </message>
    <message>
        <source>The model file {name} does not exist; pass a best.pt from a run folder.</source>
        <translation>模型文件 {name} 不存在；请给出运行文件夹中的 best.pt。</translation>
    </message>
    <message>
        <source>{name} is a folder, not a model file; choose its best.pt.</source>
        <translation>{name} 是文件夹，不是模型文件；请选择其中的 best.pt。</translation>
    </message>
    <message>
        <source>{name} is not a regular file (a device, pipe or socket), so it is not a model bundle; pass a best.pt from a run folder.</source>
        <translation>{name} 不是普通文件（而是设备、管道或套接字），所以不是模型包；请给出运行文件夹中的 best.pt。</translation>
    </message>
    <message>
        <source>{name} is empty (0 bytes), not a model bundle.</source>
        <translation>{name} 是空文件（0 字节），不是模型包。</translation>
    </message>
    <message>
        <source>{name} is not a ConvStudio model bundle or is damaged: its data could not be read safely as a PyTorch file, so nothing in it was run.</source>
        <translation>{name} 不是 ConvStudio 模型包或已损坏：无法把它安全地读作 PyTorch 文件，因此其中的内容都没有执行。</translation>
    </message>
    <message>
        <source>{name} was refused: it is not a ConvStudio bundle but a pickle that refers to {code}, which could run code when loaded; nothing was executed. Open only bundles written by ConvStudio.</source>
        <translation>{name} 已被拒绝：它不是 ConvStudio 模型包，而是引用了 {code} 的 pickle，载入时可能执行代码；什么都没有执行。请只打开 ConvStudio 写入的模型包。</translation>
    </message>
    <message>
        <source>{name} is too large to load into memory.</source>
        <translation>{name} 太大，无法载入内存。</translation>
    </message>
    <message>
        <source>{name} cannot be read ({reason}); check that the file is readable and the disk is available.</source>
        <translation>无法读取 {name}（{reason}）；请检查文件是否可读、磁盘是否可用。</translation>
    </message>
    <message>
        <source>{name} is not a ConvStudio model bundle or is damaged (truncated or corrupt){detail}.</source>
        <translation>{name} 不是 ConvStudio 模型包或已损坏（被截断或数据出错）{detail}。</translation>
    </message>
    <message>
        <source>height</source>
        <translation>高度</translation>
    </message>
    <message>
        <source>width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <source>row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>rows</source>
        <translation>行</translation>
    </message>
    <message>
        <source>columns</source>
        <translation>列</translation>
    </message>
    <message>
        <source>({numerator} / {s} = {exact} is rounded down to {floor}: PyTorch floors)</source>
        <translation>（{numerator} / {s} = {exact} 向下取整为 {floor}：PyTorch 向下取整）</translation>
    </message>
    <message>
        <source>(dilated kernel F&apos; = {d}*({k} - 1) + 1 = {span})</source>
        <translation>（膨胀后的卷积核 F&apos; = {d}*({k} - 1) + 1 = {span}）</translation>
    </message>
    <message>
        <source>{axis}: {term} is not divisible by stride {s}; ceil_mode keeps a last window that hangs over the edge</source>
        <translation>{axis}：{term} 不能被步长 {s} 整除；ceil_mode 会保留最后一个超出边缘的窗口</translation>
    </message>
    <message>
        <source>{axis}: {term} is not divisible by stride {s}; the last {n} {unit} of the padded input is silently dropped</source>
        <translation>{axis}：{term} 不能被步长 {s} 整除；填充后输入的最后 {n} {unit}会被悄悄丢弃</translation>
    </message>
    <message>
        <source>{axis}: {term} is not divisible by stride {s}; the last {n} {units} of the padded input are silently dropped</source>
        <translation>{axis}：{term} 不能被步长 {s} 整除；填充后输入的最后 {n} {units}会被悄悄丢弃</translation>
    </message>
    <message>
        <source>output {axis} would be {out} (&lt; 1): the {size}-pixel input plus 2*{p} padding is smaller than the kernel&apos;s span {span}; use a larger input, a smaller kernel or dilation, or more padding</source>
        <translation>输出{axis}将是 {out}（&lt; 1）：{size} 像素的输入加上 2*{p} 的填充，小于卷积核跨度 {span}；请使用更大的输入、更小的卷积核或膨胀率，或更多填充</translation>
    </message>
    <message>
        <source>{layer} needs a C,H,W feature map but gets a flat vector of {n}; put it before &apos;flatten&apos;</source>
        <translation>{layer} 需要 C,H,W 特征图，但得到的是长度 {n} 的展平向量；请把它放在“flatten”之前</translation>
    </message>
    <message>
        <source>padding &apos;same&apos; only works with stride 1 (PyTorch rule)</source>
        <translation>填充“same”只能与步长 1 一起使用（PyTorch 规则）</translation>
    </message>
    <message>
        <source>groups {g} does not divide the {c} input channels</source>
        <translation>分组数 {g} 不能整除 {c} 个输入通道</translation>
    </message>
    <message>
        <source>groups {g} does not divide the {c} output channels</source>
        <translation>分组数 {g} 不能整除 {c} 个输出通道</translation>
    </message>
    <message>
        <source>padding {p} is more than half the kernel {k} (PyTorch rule)</source>
        <translation>填充 {p} 超过了卷积核 {k} 的一半（PyTorch 规则）</translation>
    </message>
    <message>
        <source>output {out} is larger than the {size} input: values are repeated, no new information</source>
        <translation>输出 {out} 比输入 {size} 大：数值只是重复，没有新信息</translation>
    </message>
    <message>
        <source>linear needs a flat vector but gets a {shape} feature map; add &apos;flatten&apos; before it</source>
        <translation>linear 需要展平的向量，但得到的是 {shape} 的特征图；请在它之前加“flatten”</translation>
    </message>
    <message>
        <source>conv:out=64,k=7,s=2,p=3 (also d=, g=, bias=0, p=same|valid); maxpool:k=3,s=2,p=1 (ceil=1); avgpool:k=2; adaptiveavgpool:out=1; flatten; linear:out=10; bn; relu; dropout. k, s, p, d may be HxW pairs like k=3x5</source>
        <translation>conv:out=64,k=7,s=2,p=3（还可用 d=、g=、bias=0、p=same|valid）；maxpool:k=3,s=2,p=1（ceil=1）；avgpool:k=2；adaptiveavgpool:out=1；flatten；linear:out=10；bn；relu；dropout。k、s、p、d 可以写成 HxW 形式，如 k=3x5</translation>
    </message>
    <message>
        <source>layer {number} &apos;{layer}&apos;: field &apos;{field}&apos;: {problem}</source>
        <translation>第 {number} 层“{layer}”：字段“{field}”：{problem}</translation>
    </message>
    <message>
        <source>layer {number} &apos;{layer}&apos;: {problem}</source>
        <translation>第 {number} 层“{layer}”：{problem}</translation>
    </message>
    <message>
        <source>expected a whole number, got &apos;{value}&apos;</source>
        <translation>应为整数，当前为“{value}”</translation>
    </message>
    <message>
        <source>must be at least {minimum}, got {value}</source>
        <translation>至少为 {minimum}，当前为 {value}</translation>
    </message>
    <message>
        <source>expected a number or an HxW pair like 3x5, got &apos;{value}&apos;</source>
        <translation>应为一个数或 HxW 形式（如 3x5），当前为“{value}”</translation>
    </message>
    <message>
        <source>expected 0 or 1, got &apos;{value}&apos;</source>
        <translation>应为 0 或 1，当前为“{value}”</translation>
    </message>
    <message>
        <source>expected key=value, got &apos;{value}&apos;</source>
        <translation>应为 key=value，当前为“{value}”</translation>
    </message>
    <message>
        <source>given twice</source>
        <translation>重复给出</translation>
    </message>
    <message>
        <source>no value given</source>
        <translation>没有给出值</translation>
    </message>
    <message>
        <source>required for {layer}</source>
        <translation>{layer} 必须提供</translation>
    </message>
    <message>
        <source>expected a probability, got &apos;{value}&apos;</source>
        <translation>应为一个概率，当前为“{value}”</translation>
    </message>
    <message>
        <source>must be in [0, 1), got {value}</source>
        <translation>必须在 [0, 1) 内，当前为 {value}</translation>
    </message>
    <message>
        <source>unknown layer type &apos;{name}&apos; (expected one of {names})</source>
        <translation>未知的层类型“{name}”（应为 {names} 之一）</translation>
    </message>
    <message>
        <source>unknown key for {layer} (allowed: {allowed})</source>
        <translation>{layer} 没有这个键（可用：{allowed}）</translation>
    </message>
    <message>
        <source>LeNet-5</source>
        <translation>LeNet-5</translation>
    </message>
    <message>
        <source>LeCun&apos;s LeNet-5 on 32x32 digits: two 5x5 conv + 2x2 average-pool blocks, then 120-84-10 fully connected (ReLU in place of the original tanh; C5 as a linear layer after flatten, which has the same parameters).</source>
        <translation>LeCun 的 LeNet-5，输入 32x32 数字：两个“5x5 卷积 + 2x2 平均池化”块，然后是 120-84-10 的全连接层（用 ReLU 代替原来的 tanh；C5 写成 flatten 之后的线性层，参数量相同）。</translation>
    </message>
    <message>
        <source>smallcnn (ours)</source>
        <translation>smallcnn（本软件）</translation>
    </message>
    <message>
        <source>The registry&apos;s smallcnn on 28x28 digits: three conv + BatchNorm + ReLU + 2x2 max-pool blocks (32/64/128 kernels, no conv bias since BatchNorm follows), an adaptive average pool to 3x3, flatten, Dropout(0.3) and a linear head for 10 classes.</source>
        <translation>模型库中的 smallcnn，输入 28x28 数字：三个“卷积 + BatchNorm + ReLU + 2x2 最大池化”块（32/64/128 个卷积核，后接 BatchNorm 故卷积不带偏置），自适应平均池化到 3x3，flatten，Dropout(0.3)，最后是 10 个类别的线性输出层。</translation>
    </message>
    <message>
        <source>AlexNet features</source>
        <translation>AlexNet 特征部分</translation>
    </message>
    <message>
        <source>torchvision&apos;s AlexNet feature extractor (5 conv layers, 3 max-pools) on a 224x224 RGB image.</source>
        <translation>torchvision 的 AlexNet 特征提取部分（5 个卷积层、3 个最大池化层），输入 224x224 RGB 图像。</translation>
    </message>
    <message>
        <source>VGG16 features</source>
        <translation>VGG16 特征部分</translation>
    </message>
    <message>
        <source>torchvision&apos;s VGG16 feature extractor: 13 3x3 conv layers in 5 blocks, each block ending in a 2x2 max-pool; receptive field 212 after the last pool.</source>
        <translation>torchvision 的 VGG16 特征提取部分：13 个 3x3 卷积层分成 5 个块，每块以 2x2 最大池化结束；最后一个池化后的感受野为 212。</translation>
    </message>
    <message>
        <source>ResNet18 stem and stages</source>
        <translation>ResNet18 主干与各阶段</translation>
    </message>
    <message>
        <source>An approximation of ResNet18 as plain layers: the 7x7 stem, max-pool and the main-path 3x3 convs of the four stages. The residual shortcuts (and their 1x1 downsample convs, 0.17M parameters) are left out, so shapes and the main path&apos;s receptive field are right but the parameter total is slightly low; use &apos;From model&apos; for the exact network.</source>
        <translation>用普通层近似 ResNet18：7x7 的起始卷积、最大池化，以及四个阶段主路径上的 3x3 卷积。残差捷径（及其 1x1 下采样卷积，0.17M 参数）未包含，因此形状和主路径的感受野正确，但参数总数略少；要得到精确的网络请用“来自模型”。</translation>
    </message>
    <message>
        <source>{layer} cannot run on its {shape} input: its {window} window with padding {p} needs at least {need} pixels, so the output would be smaller than 1x1</source>
        <translation>{layer} 无法在它的 {shape} 输入上运行：它的 {window} 窗口在填充 {p} 时至少需要 {need} 像素，否则输出会小于 1x1</translation>
    </message>
    <message>
        <source>{layer} cannot run on its {shape} input: {reason}</source>
        <translation>{layer} 无法在它的 {shape} 输入上运行：{reason}</translation>
    </message>
    <message>
        <source>after {layer} the feature map is only {shape}, yet later convolution/pooling layers still slide kernels over it (they see mostly padding)</source>
        <translation>经过 {layer} 后特征图只有 {shape}，后面的卷积/池化层仍在它上面滑动卷积核（看到的大多是填充）</translation>
    </message>
    <message>
        <source>too small at {layer}</source>
        <translation>在 {layer} 处太小</translation>
    </message>
    <message>
        <source>{arch} on a {size} input: {what}. Spatial size: {trail}.</source>
        <translation>{arch} 在 {size} 的输入上：{what}。空间尺寸：{trail}。</translation>
    </message>
    <message>
        <source>{arch} on a {size} input: {what}. Spatial size: {trail}. It needs an input of at least {m}x{m}; resize the images (e.g. Resize({m})).</source>
        <translation>{arch} 在 {size} 的输入上：{what}。空间尺寸：{trail}。它至少需要 {m}x{m} 的输入；请缩放图像（如 Resize({m})）。</translation>
    </message>
    <message>
        <source>{arch} on a {size} input: {what}. Spatial size: {trail}. From a {m}x{m} input on, every feature map stays larger than 1x1 until the last convolution; consider resizing the images (e.g. Resize({m})).</source>
        <translation>{arch} 在 {size} 的输入上：{what}。空间尺寸：{trail}。输入不小于 {m}x{m} 时，直到最后一个卷积的每张特征图都大于 1x1；建议缩放图像（如 Resize({m})）。</translation>
    </message>
    <message>
        <source>{path}: {reason}</source>
        <translation>{path}：{reason}</translation>
    </message>
    <message>
        <source>No class in &apos;{source}&apos; has a usable image: add images to the class folders.</source>
        <translation>“{source}”中没有任何类别有可用图像：请往类别文件夹中添加图像。</translation>
    </message>
    <message>
        <source>Only one class (&apos;{name}&apos;) has usable images in &apos;{source}&apos;: a classifier needs at least two class folders with images.</source>
        <translation>“{source}”中只有一个类别（“{name}”）有可用图像：分类器至少需要两个有图像的类别文件夹。</translation>
    </message>
    <message>
        <source>The training split of &apos;{source}&apos; has no usable image.</source>
        <translation>“{source}”的训练集没有可用图像。</translation>
    </message>
    <message>
        <source>The validation split of &apos;{source}&apos; has no usable image: add images to valid/ or give each class at least two images.</source>
        <translation>“{source}”的验证集没有可用图像：请往 valid/ 中添加图像，或让每个类别至少有两张图像。</translation>
    </message>
    <message>
        <source>&apos;{path}&apos; is not inside the dataset folder &apos;{root}&apos;.</source>
        <translation>“{path}”不在数据集文件夹“{root}”内。</translation>
    </message>
    <message>
        <source>No free name next to &apos;{path}&apos;.</source>
        <translation>“{path}”旁边没有可用的文件名。</translation>
    </message>
    <message>
        <source>&apos;{path}&apos; is no longer there: it was moved or renamed since.</source>
        <translation>“{path}”已经不在了：它后来被移动或改名了。</translation>
    </message>
    <message>
        <source>&apos;{path}&apos; already exists; nothing was moved.</source>
        <translation>“{path}”已存在；没有移动任何文件。</translation>
    </message>
    <message>
        <source>Could not move &apos;{name}&apos;: {reason}.</source>
        <translation>无法移动“{name}”：{reason}。</translation>
    </message>
    <message>
        <source>Could not write the change log {log} ({reason}); the file was left where it was.</source>
        <translation>无法写入更改日志 {log}（{reason}）；文件保持原位。</translation>
    </message>
    <message>
        <source>&apos;{path}&apos; is not inside a folder of the class &apos;{name}&apos;, so it cannot be moved to another class.</source>
        <translation>“{path}”不在类别“{name}”的文件夹中，所以不能移到其他类别。</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is not a class folder name.</source>
        <translation>“{name}”不是类别文件夹的名称。</translation>
    </message>
    <message>
        <source>&apos;{file}&apos; is already in the class &apos;{name}&apos;.</source>
        <translation>“{file}”已经在类别“{name}”中。</translation>
    </message>
    <message>
        <source>&apos;{file}&apos; is already set aside.</source>
        <translation>“{file}”已经被移出。</translation>
    </message>
    <message>
        <source>An undo cannot be undone; make the change again instead.</source>
        <translation>撤销不能再撤销；请重新做一次更改。</translation>
    </message>
    <message>
        <source>&apos;{path}&apos; exists again, so &apos;{name}&apos; cannot go back there; move it by hand.</source>
        <translation>“{path}”又出现了，所以“{name}”无法放回原处；请手动移动。</translation>
    </message>
    <message>
        <source>builtin</source>
        <translation>内置</translation>
    </message>
    <message>
        <source>None of the data&apos;s classes ({data}) is a class the model knows ({model}); evaluate it with a model trained on these classes.</source>
        <translation>数据中的类别（{data}）没有一个是模型认识的（{model}）；请用在这些类别上训练的模型来评估。</translation>
    </message>
    <message>
        <source>The model does not know the class {names}: {total} image left out. It knows {known}.</source>
        <translation>模型不认识类别 {names}：{total} 张图像未计入。它认识 {known}。</translation>
    </message>
    <message>
        <source>The model does not know the class {names}: {total} images left out. It knows {known}.</source>
        <translation>模型不认识类别 {names}：{total} 张图像未计入。它认识 {known}。</translation>
    </message>
    <message>
        <source>The model does not know the classes {names}: {total} image left out. It knows {known}.</source>
        <translation>模型不认识类别 {names}：{total} 张图像未计入。它认识 {known}。</translation>
    </message>
    <message>
        <source>The model does not know the classes {names}: {total} images left out. It knows {known}.</source>
        <translation>模型不认识类别 {names}：{total} 张图像未计入。它认识 {known}。</translation>
    </message>
    <message>
        <source>The data has no images of {names}.</source>
        <translation>数据中没有 {names} 的图像。</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; has no train/ and valid/ folders and the model was not trained on it: all of its images were evaluated.</source>
        <translation>“{name}”没有 train/ 和 valid/ 文件夹，模型也没有在它上面训练过：已评估它的全部图像。</translation>
    </message>
    <message>
        <source>Stopped after {done} of {total} images.</source>
        <translation>在 {total} 张图像中评估了 {done} 张后停止。</translation>
    </message>
    <message>
        <source>No image could be read: see the skipped files.</source>
        <translation>没有一张图像能读取：请查看跳过的文件。</translation>
    </message>
    <message>
        <source>train/valid folders</source>
        <extracomment>where the Evaluate panel&apos;s &quot;Set aside&quot; puts images: inside the dataset, never scanned</extracomment>
        <translation>train/valid 文件夹</translation>
    </message>
    <message>
        <source>class folders</source>
        <translation>类别文件夹</translation>
    </message>
    <message>
        <source>No dataset given: use &apos;builtin:digits&apos; or the path of an image folder.</source>
        <translation>没有指定数据集：请使用“builtin:digits”或图像文件夹的路径。</translation>
    </message>
    <message>
        <source>Unknown built-in dataset &apos;{name}&apos;: the only built-in dataset is &apos;{builtin}&apos;.</source>
        <translation>未知的内置数据集“{name}”：唯一的内置数据集是“{builtin}”。</translation>
    </message>
    <message>
        <source>Dataset folder &apos;{path}&apos; does not exist: check the path.</source>
        <translation>数据集文件夹“{path}”不存在：请检查路径。</translation>
    </message>
    <message>
        <source>&apos;{path}&apos; is a file, not a folder: choose the folder that holds the class folders.</source>
        <translation>“{path}”是文件而不是文件夹：请选择包含各类别文件夹的那个文件夹。</translation>
    </message>
    <message>
        <source>Cannot read the folder &apos;{path}&apos; ({reason}): check its permissions.</source>
        <translation>无法读取文件夹“{path}”（{reason}）：请检查权限。</translation>
    </message>
    <message>
        <source>No class folders found in &apos;{path}&apos;: put the images of each class in a folder named after the class (e.g. {name}/cats/, {name}/dogs/).</source>
        <translation>在“{path}”中没有找到类别文件夹：请把每个类别的图像放进以类别命名的文件夹（如 {name}/cats/、{name}/dogs/）。</translation>
    </message>
    <message>
        <source>{n} file was skipped: {files}.</source>
        <translation>跳过了 {n} 个文件：{files}。</translation>
    </message>
    <message>
        <source>{n} files were skipped: {files}.</source>
        <translation>跳过了 {n} 个文件：{files}。</translation>
    </message>
    <message>
        <source>{n} files were skipped: {files} and {more} more.</source>
        <translation>跳过了 {n} 个文件：{files}，另有 {more} 个。</translation>
    </message>
    <message>
        <source>{n} image is very large (the largest, {name}, is {width}x{height} = {mp} megapixels): decoding one takes about {mb} MB of memory. Training decodes them reduced when the pipeline starts with Resize or RandomResizedCrop; otherwise shrink them (4096 pixels on the longer side is plenty) to use less memory.</source>
        <translation>有 {n} 张图像非常大（最大的 {name} 为 {width}x{height} = {mp} 百万像素）：解码一张约需 {mb} MB 内存。流水线以 Resize 或 RandomResizedCrop 开头时，训练会缩小解码；否则请把它们缩小（长边 4096 像素已足够）以节省内存。</translation>
    </message>
    <message>
        <source>{n} images are very large (the largest, {name}, is {width}x{height} = {mp} megapixels): decoding one takes about {mb} MB of memory. Training decodes them reduced when the pipeline starts with Resize or RandomResizedCrop; otherwise shrink them (4096 pixels on the longer side is plenty) to use less memory.</source>
        <translation>有 {n} 张图像非常大（最大的 {name} 为 {width}x{height} = {mp} 百万像素）：解码一张约需 {mb} MB 内存。流水线以 Resize 或 RandomResizedCrop 开头时，训练会缩小解码；否则请把它们缩小（长边 4096 像素已足够）以节省内存。</translation>
    </message>
    <message>
        <source>Class &apos;{name}&apos; has no usable image and was left out; add images to its folder.</source>
        <translation>类别“{name}”没有可用图像，已被排除；请往它的文件夹中添加图像。</translation>
    </message>
    <message>
        <source>Class &apos;{name}&apos; has no image in the train split.</source>
        <translation>类别“{name}”在训练集中没有图像。</translation>
    </message>
    <message>
        <source>Class &apos;{name}&apos; has no image in the valid split.</source>
        <translation>类别“{name}”在验证集中没有图像。</translation>
    </message>
    <message>
        <source>Class &apos;{name}&apos; has no image in the train and valid split.</source>
        <translation>类别“{name}”在训练集和验证集中都没有图像。</translation>
    </message>
    <message>
        <source>At least two classes with images are needed to train a classifier.</source>
        <translation>训练分类器至少需要两个有图像的类别。</translation>
    </message>
    <message>
        <source>Class &apos;{name}&apos; has only {n} image; at least {need} are needed to learn and check it.</source>
        <translation>类别“{name}”只有 {n} 张图像；至少需要 {need} 张才能学习并检验它。</translation>
    </message>
    <message>
        <source>Class &apos;{name}&apos; has only {n} images; at least {need} are needed to learn and check it.</source>
        <translation>类别“{name}”只有 {n} 张图像；至少需要 {need} 张才能学习并检验它。</translation>
    </message>
    <message>
        <source>Classes are imbalanced {ratio}:1: &apos;{big}&apos; has {big_n} images but &apos;{small}&apos; only {small_n}; add images to the small classes or expect the model to favour the large ones.</source>
        <translation>类别不平衡 {ratio}:1：“{big}”有 {big_n} 张图像，而“{small}”只有 {small_n} 张；请给小类别添加图像，否则模型会偏向大类别。</translation>
    </message>
    <message>
        <source>file not found</source>
        <extracomment>images above this many pixels (4096x4096) are &quot;large&quot;: the Data panel warns about their memory, and loading decodes them reduced when the pipeline allows (min_side)</extracomment>
        <translation>找不到文件</translation>
    </message>
    <message>
        <source>file cannot be read ({reason})</source>
        <translation>无法读取文件（{reason}）</translation>
    </message>
    <message>
        <source>this is a folder, not an image file</source>
        <translation>这是文件夹，不是图像文件</translation>
    </message>
    <message>
        <source>file is empty (0 bytes)</source>
        <translation>文件为空（0 字节）</translation>
    </message>
    <message>
        <source>image is too large ({width}x{height} = {pixels} pixels; the limit is {limit}): it looks like a decompression bomb, so it was refused</source>
        <translation>图像太大（{width}x{height} = {pixels} 像素；上限为 {limit}）：看起来像解压炸弹，已拒绝</translation>
    </message>
    <message>
        <source>image is too large: it looks like a decompression bomb ({reason})</source>
        <translation>图像太大：看起来像解压炸弹（{reason}）</translation>
    </message>
    <message>
        <source>not an image file, or an image format that cannot be read</source>
        <translation>不是图像文件，或是无法读取的图像格式</translation>
    </message>
    <message>
        <source>cannot open the image ({reason})</source>
        <translation>无法打开图像（{reason}）</translation>
    </message>
    <message>
        <source>image has no pixels ({width}x{height})</source>
        <translation>图像没有像素（{width}x{height}）</translation>
    </message>
    <message>
        <source>image file is truncated (part of it is missing)</source>
        <translation>图像文件被截断（缺了一部分）</translation>
    </message>
    <message>
        <source>image data is corrupt ({reason})</source>
        <translation>图像数据损坏（{reason}）</translation>
    </message>
    <message>
        <source>which 95% of the {count} validation images reached ({file})</source>
        <translation>这是 {count} 张验证图像中 95% 都能达到的值（{file}）</translation>
    </message>
    <message>
        <source>a fixed threshold: no validation predictions are stored beside the model</source>
        <translation>这是固定阈值：模型旁边没有保存验证集的预测结果</translation>
    </message>
    <message>
        <source>a colour picture, but the model was trained on grayscale images</source>
        <translation>这是彩色图片，但模型是在灰度图像上训练的</translation>
    </message>
    <message>
        <source>a grayscale picture, but the model was trained on colour images</source>
        <translation>这是灰度图片，但模型是在彩色图像上训练的</translation>
    </message>
    <message>
        <source>top probability {prob} is below {floor}, {source}</source>
        <translation>最高概率 {prob} 低于 {floor}，{source}</translation>
    </message>
    <message>
        <source>the picture ({size}) is blown up to the model&apos;s {input} px input</source>
        <translation>图片（{size}）被放大到模型的 {input} 像素输入</translation>
    </message>
    <message>
        <source>the picture ({size}) is far larger than the {input}x{input} images the model was trained on</source>
        <translation>图片（{size}）比模型训练时的 {input}x{input} 图像大得多</translation>
    </message>
    <message>
        <source>the picture ({size}) is squashed into a square</source>
        <translation>图片（{size}）被压扁成正方形</translation>
    </message>
    <message>
        <source>This input looks unlike the model&apos;s training data:
{lines}
A model always answers with probabilities that sum to 100%, even for a picture of something it never saw; treat this answer with suspicion.</source>
        <translation>这个输入看起来不像模型的训练数据：
{lines}
即使是从没见过的东西，模型也总会给出总和为 100% 的概率；请谨慎对待这个答案。</translation>
    </message>
    <message>
        <source>Name</source>
        <extracomment>Kept in a run folder while a process trains into it: {&quot;pid&quot;, &quot;host&quot;, &quot;started&quot;}. Written when the fit starts and removed when it ends (also after an error or a stop); a lock whose process is gone was left by a kill or a crash. A run on another machine (a shared folder), or one without a lock file, counts as running while its newest file is younger than this: longer than an epoch usually takes. (key, header): the listing&apos;s columns, in `runs --json` and the Runs panel</extracomment>
        <translation>名称</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>网络结构</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>{field}: must be a non-empty string, not {value}.</source>
        <translation>{field}：必须是非空字符串，而不是 {value}。</translation>
    </message>
    <message>
        <source>{field}: must be one of {choices}, not {value}.</source>
        <translation>{field}：必须是 {choices} 之一，而不是 {value}。</translation>
    </message>
    <message>
        <source>{field}: must be a whole number, not {value}.</source>
        <translation>{field}：必须是整数，而不是 {value}。</translation>
    </message>
    <message>
        <source>{field}: must be between {low} and {high}, not {value}.</source>
        <translation>{field}：必须在 {low} 到 {high} 之间，而不是 {value}。</translation>
    </message>
    <message>
        <source>{field}: must be a finite number, not {value}.</source>
        <translation>{field}：必须是有限的数，而不是 {value}。</translation>
    </message>
    <message>
        <source>{field}: must be in {interval}, not {value}.</source>
        <translation>{field}：必须在 {interval} 范围内，而不是 {value}。</translation>
    </message>
    <message>
        <source>{field}: must be one of {choices} (or cuda:N), not {value}.</source>
        <translation>{field}：必须是 {choices} 之一（或 cuda:N），而不是 {value}。</translation>
    </message>
    <message>
        <source>{field}: must be a list of transform steps or None.</source>
        <translation>{field}：必须是变换步骤的列表或 None。</translation>
    </message>
    <message>
        <source>{field}: must be 1, 3 or None, not {value}.</source>
        <translation>{field}：必须是 1、3 或 None，而不是 {value}。</translation>
    </message>
    <message>
        <source>{field}: must be a path to a last.pt file or None.</source>
        <translation>{field}：必须是 last.pt 文件的路径或 None。</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>builtin:digits or a folder of class folders</source>
        <translation>builtin:digits，或一个按类别分文件夹的文件夹</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Network architecture from the model registry.</source>
        <translation>模型注册表中的网络架构。</translation>
    </message>
    <message>
        <source>Transfer mode</source>
        <translation>迁移学习方式</translation>
    </message>
    <message>
        <source>scratch: random weights, all layers train. finetune: start from pretrained weights and train all layers. feature-extract: freeze the backbone, train only the new head. two-stage: the head alone first (head epochs), then all layers at a lower rate.</source>
        <translation>scratch：随机权重，训练所有层。finetune：从预训练权重开始，训练所有层。feature-extract：冻结主干网络，只训练新的分类头。two-stage：先只训练分类头（分类头轮次），再以较低的学习率训练所有层。</translation>
    </message>
    <message>
        <source>Pretrained</source>
        <translation>预训练权重</translation>
    </message>
    <message>
        <source>Start from ImageNet weights (torchvision, from the torch hub cache) or from a local .pth state_dict (imagenet, a path, or none). Missing weights stop the run with a message naming the file.</source>
        <translation>从 ImageNet 权重（torchvision，取自 torch hub 缓存）或本地 .pth state_dict 开始（imagenet、一个路径或 none）。缺少权重时，运行会停止，并给出缺少的文件名。</translation>
    </message>
    <message>
        <source>Head epochs</source>
        <translation>分类头轮次</translation>
    </message>
    <message>
        <source>two-stage: epochs that train the head alone, the backbone frozen (on cached features); then every layer trains from the best head.</source>
        <translation>two-stage：只训练分类头的轮次，主干网络冻结（使用缓存的特征）；之后从最佳分类头开始训练所有层。</translation>
    </message>
    <message>
        <source>Fine-tune LR factor</source>
        <translation>微调学习率系数</translation>
    </message>
    <message>
        <source>two-stage: the learning rate of the second stage (all layers) is the learning rate times this factor.</source>
        <translation>two-stage：第二阶段（所有层）的学习率是学习率乘以这个系数。</translation>
    </message>
    <message>
        <source>Feature cache</source>
        <translation>特征缓存</translation>
    </message>
    <message>
        <source>Frozen backbone (feature-extract, two-stage&apos;s head epochs): on computes the backbone&apos;s features once and trains the head on them (epochs take a fraction of a second); off runs the whole network on every image in every epoch.</source>
        <translation>冻结的主干网络（feature-extract，以及 two-stage 的分类头轮次）：on 只计算一次主干网络的特征，再用它们训练分类头（每个轮次不到一秒）；off 在每个轮次对每张图像运行整个网络。</translation>
    </message>
    <message>
        <source>Augmented views</source>
        <translation>增强视图数</translation>
    </message>
    <message>
        <source>Feature cache: augmented versions of each training image extracted once through the train pipeline, a different one each epoch. 0 (the default, fastest): no augmentation, the head sees each image as the evaluation pipeline makes it.</source>
        <translation>特征缓存：每张训练图像经训练流水线数据增强后的版本，只提取一次，每个轮次用不同的一个。0（默认，最快）：不做数据增强，分类头看到的是评估流水线处理后的图像。</translation>
    </message>
    <message>
        <source>Cache memory (MB)</source>
        <translation>缓存内存（MB）</translation>
    </message>
    <message>
        <source>Feature cache: kept in memory up to this size, read from its file beyond it (0: always from the file).</source>
        <translation>特征缓存：不超过这个大小时保存在内存中，超出部分从文件读取（0：总是从文件读取）。</translation>
    </message>
    <message>
        <source>Augmentation</source>
        <translation>数据增强</translation>
    </message>
    <message>
        <source>augmentation preset (auto, seed, digits, none) or SPEC.json</source>
        <translation>数据增强预设（auto、seed、digits、none）或 SPEC.json</translation>
    </message>
    <message>
        <source>Train transforms</source>
        <translation>训练变换</translation>
    </message>
    <message>
        <source>Eval transforms</source>
        <translation>评估变换</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Passes over the training set.</source>
        <translation>遍历训练集的次数。</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批次大小</translation>
    </message>
    <message>
        <source>Images per optimizer step.</source>
        <translation>优化器每一步使用的图像数。</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Learning rate: the optimizer&apos;s step size.</source>
        <translation>学习率：优化器的步长。</translation>
    </message>
    <message>
        <source>Optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <source>Adam/AdamW adapt the step per weight; SGD uses momentum.</source>
        <translation>Adam/AdamW 为每个权重调整步长；SGD 使用动量。</translation>
    </message>
    <message>
        <source>Momentum</source>
        <translation>动量</translation>
    </message>
    <message>
        <source>SGD momentum (ignored by Adam).</source>
        <translation>SGD 的动量（Adam 忽略它）。</translation>
    </message>
    <message>
        <source>Weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <source>Weight decay (L2 penalty on the weights).</source>
        <translation>权重衰减（对权重的 L2 惩罚）。</translation>
    </message>
    <message>
        <source>LR schedule</source>
        <translation>学习率调度</translation>
    </message>
    <message>
        <source>Learning-rate schedule: none (constant), step (multiply by gamma every step size epochs), cosine (anneal to zero over the run), onecycle (warm up to the learning rate, then anneal; stepped every batch).</source>
        <translation>学习率调度：none（不变），step（每隔“步长”个轮次乘以 gamma），cosine（在整个运行中退火到零），onecycle（先预热到学习率，再退火；每个批次调整一次）。</translation>
    </message>
    <message>
        <source>Step size</source>
        <translation>步长</translation>
    </message>
    <message>
        <source>StepLR: epochs between learning-rate drops.</source>
        <translation>StepLR：两次降低学习率之间的轮次数。</translation>
    </message>
    <message>
        <source>Gamma</source>
        <translation>Gamma</translation>
    </message>
    <message>
        <source>StepLR: factor applied at each drop.</source>
        <translation>StepLR：每次降低时乘以的系数。</translation>
    </message>
    <message>
        <source>Validation split</source>
        <translation>验证集比例</translation>
    </message>
    <message>
        <source>Share of images held out for validation when the folder has no valid/ split.</source>
        <translation>文件夹中没有 valid/ 划分时，留作验证集的图像比例。</translation>
    </message>
    <message>
        <source>Best model by</source>
        <translation>最佳模型依据</translation>
    </message>
    <message>
        <source>What decides the best epoch (best.pt, the best mark, early stopping): val_acc, the highest validation accuracy, or val_loss, the lowest validation loss.</source>
        <translation>由什么决定最佳轮次（best.pt、最佳标记、提前停止）：val_acc，最高的验证准确率；或 val_loss，最低的验证损失。</translation>
    </message>
    <message>
        <source>Early stop patience</source>
        <translation>提前停止的耐心</translation>
    </message>
    <message>
        <source>Stop after this many epochs without a validation improvement larger than min delta (0: off, train all epochs).</source>
        <translation>连续这么多个轮次验证集上的改进都不超过最小变化量时停止（0：关闭，训练所有轮次）。</translation>
    </message>
    <message>
        <source>Min delta</source>
        <translation>最小变化量</translation>
    </message>
    <message>
        <source>Early stopping: the smallest change of the best-model metric that counts as an improvement (0.001 on accuracy: a tenth of a percent).</source>
        <translation>提前停止：最佳模型指标的变化至少多大才算改进（准确率上的 0.001：千分之一）。</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Random seed: same seed, same run on CPU.</source>
        <translation>随机种子：在 CPU 上，相同的种子得到相同的运行。</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Where to train: auto picks CUDA, then MPS, when present (or cpu, cuda, cuda:N, mps).</source>
        <translation>在哪里训练：auto 依次选择可用的 CUDA、MPS（也可选 cpu、cuda、cuda:N、mps）。</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>进程数</translation>
    </message>
    <message>
        <source>Train with this many processes on this machine (torchrun, DistributedDataParallel; on a GPU machine one per GPU). Each process trains on its share of every epoch with its own batch of the batch size, so a step trains processes x batch size images; the learning rate is not scaled. Pause holds every process at the same batch.</source>
        <translation>在本机上用这么多个进程训练（torchrun，DistributedDataParallel；有 GPU 的机器上每个 GPU 一个进程）。每个进程训练每个轮次中属于自己的那一份，各用一个批次大小的批次，所以一步训练 进程数 x 批次大小 张图像；学习率不会随之缩放。暂停会让所有进程停在同一个批次。</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>数值精度</translation>
    </message>
    <message>
        <source>auto: bf16 autocast where the CPU or GPU runs it fast, else fp32.</source>
        <translation>auto：在 CPU 或 GPU 能快速运行 bf16 的地方使用 bf16 autocast，否则使用 fp32。</translation>
    </message>
    <message>
        <source>Channels last</source>
        <translation>通道在后（channels_last）</translation>
    </message>
    <message>
        <source>channels_last memory format: auto uses it for convolutional nets on CPU and CUDA.</source>
        <translation>channels_last 内存格式：auto 在 CPU 和 CUDA 上对卷积网络使用它。</translation>
    </message>
    <message>
        <source>DataLoader workers</source>
        <translation>DataLoader 工作进程数</translation>
    </message>
    <message>
        <source>DataLoader worker processes.</source>
        <translation>DataLoader 的工作进程数。</translation>
    </message>
    <message>
        <source>Input channels</source>
        <translation>输入通道数</translation>
    </message>
    <message>
        <source>1, 3 or None</source>
        <translation>1、3 或 None</translation>
    </message>
    <message>
        <source>Input size</source>
        <translation>输入尺寸</translation>
    </message>
    <message>
        <source>8..4096 or None</source>
        <translation>8..4096 或 None</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>run folder to write</source>
        <translation>要写入的运行文件夹</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>a run&apos;s last.pt</source>
        <translation>某次运行的 last.pt</translation>
    </message>
    <message>
        <source>Best val acc</source>
        <translation>最佳验证准确率</translation>
    </message>
    <message>
        <source>Best epoch</source>
        <translation>最佳轮次</translation>
    </message>
    <message>
        <source>Train img/s</source>
        <translation>训练 图像/秒</translation>
    </message>
    <message>
        <source>Wall time</source>
        <translation>用时</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Not a run folder: it has none of {files}.</source>
        <translation>不是运行文件夹：其中没有 {files} 中的任何一个。</translation>
    </message>
    <message>
        <source>Half-written: no metrics.csv, best.pt or summary.json yet.</source>
        <translation>写了一半：还没有 metrics.csv、best.pt 或 summary.json。</translation>
    </message>
    <message>
        <source>The training process ended without finishing (killed or crashed).</source>
        <translation>训练进程没有完成就结束了（被终止或崩溃）。</translation>
    </message>
    <message>
        <source>The training process ended without finishing (killed or crashed); summary.json is older.</source>
        <translation>训练进程没有完成就结束了（被终止或崩溃）；summary.json 是旧的。</translation>
    </message>
    <message>
        <source>The training process ended without finishing (killed or crashed): there is no summary.json.</source>
        <translation>训练进程没有完成就结束了（被终止或崩溃）：没有 summary.json。</translation>
    </message>
    <message>
        <source>The notes&apos; MNIST network: flatten, Linear(in, 128), ReLU, Linear(128, classes).</source>
        <translation>笔记中的 MNIST 网络：展平，Linear(in, 128)，ReLU，Linear(128, classes)。</translation>
    </message>
    <message>
        <source>Three conv + BatchNorm + ReLU + max-pool blocks (32/64/128 kernels), Dropout, flatten, linear head. Fast on CPU; made for 28x28 digits.</source>
        <translation>三个卷积 + BatchNorm + ReLU + 最大池化块（32/64/128 个卷积核），Dropout，展平，线性分类头。在 CPU 上很快；为 28x28 的数字设计。</translation>
    </message>
    <message>
        <source>AlexNet (2012): five convolutions with large early kernels, three dense layers.</source>
        <translation>AlexNet（2012）：五个卷积层，前面的卷积核较大，三个全连接层。</translation>
    </message>
    <message>
        <source>VGG-11 with BatchNorm: stacks of 3x3 convolutions, five poolings.</source>
        <translation>带 BatchNorm 的 VGG-11：堆叠的 3x3 卷积，五次池化。</translation>
    </message>
    <message>
        <source>VGG-16 with BatchNorm: deeper stacks of 3x3 convolutions, five poolings.</source>
        <translation>带 BatchNorm 的 VGG-16：更深的 3x3 卷积堆叠，五次池化。</translation>
    </message>
    <message>
        <source>ResNet-18: residual blocks; the usual first choice for transfer learning.</source>
        <translation>ResNet-18：残差块；迁移学习的常用首选。</translation>
    </message>
    <message>
        <source>ResNet-34: deeper residual network of basic blocks.</source>
        <translation>ResNet-34：由基本块组成的更深的残差网络。</translation>
    </message>
    <message>
        <source>ResNet-50: bottleneck residual blocks; slower on CPU, stronger features.</source>
        <translation>ResNet-50：瓶颈残差块；在 CPU 上较慢，特征更强。</translation>
    </message>
    <message>
        <source>downloading {name}: {done:.1f}/{total:.1f} MB</source>
        <translation>正在下载 {name}：{done}/{total} MB</translation>
    </message>
    <message>
        <source>downloading {name}: {done:.1f} MB</source>
        <translation>正在下载 {name}：{done} MB</translation>
    </message>
    <message>
        <source>extracting features: {done:,}/{total:,} images, {views}</source>
        <translation>正在提取特征：{done}/{total} 张图像，{views}</translation>
    </message>
    <message>
        <source>{views} augmented view(s)</source>
        <translation>{views} 个数据增强视图</translation>
    </message>
    <message>
        <source>no augmentation (0 augmented views)</source>
        <translation>不做数据增强（0 个增强视图）</translation>
    </message>
    <message>
        <source>fine-tuning every layer from {start} at lr {lr:.3g}</source>
        <translation>从{start}开始微调所有层，学习率 {lr}</translation>
    </message>
    <message>
        <source>the best head (epoch {epoch})</source>
        <translation>最佳分类头（第 {epoch} 轮）</translation>
    </message>
    <message>
        <source>the head</source>
        <translation>分类头</translation>
    </message>
    <message>
        <source>the resumed weights</source>
        <translation>恢复的权重</translation>
    </message>
    <message>
        <source>evaluating best.pt on {total:,} validation images</source>
        <translation>正在用 {total} 张验证集图像评估 best.pt</translation>
    </message>
    <message>
        <source>evaluated best.pt on {total:,} validation images: accuracy {accuracy:.2f}% (evaluation.json, predictions.csv)</source>
        <translation>已用 {total} 张验证集图像评估 best.pt：准确率 {accuracy}%（evaluation.json、predictions.csv）</translation>
    </message>
    <message>
        <source>evaluated best.pt on {total:,} validation images (evaluation.json, predictions.csv)</source>
        <translation>已用 {total} 张验证集图像评估 best.pt（evaluation.json、predictions.csv）</translation>
    </message>
    <message>
        <source>evaluation failed (see the log); the Evaluate panel computes it again</source>
        <translation>评估失败（见日志）；评估面板会重新计算</translation>
    </message>
    <message>
        <source>evaluation stopped: no evaluation.json or predictions.csv written</source>
        <translation>评估已停止：未写入 evaluation.json 或 predictions.csv</translation>
    </message>
    <message>
        <source>Feature cache: not used for this dataset (its files are unknown).</source>
        <translation>特征缓存：此数据集未使用（无法确定它的文件）。</translation>
    </message>
    <message>
        <source>Feature cache: reused {folder} (computed by an earlier run).</source>
        <translation>特征缓存：复用了 {folder}（由之前的一次运行计算）。</translation>
    </message>
    <message>
        <source>Feature cache: {views} view(s) of {dim} features per image, {size:.1f} MB, {where}.</source>
        <translation>特征缓存：每张图像 {views} 个视图，每个 {dim} 个特征，{size} MB，{where}。</translation>
    </message>
    <message>
        <source>in memory</source>
        <translation>保存在内存中</translation>
    </message>
    <message>
        <source>read from its file (over the memory limit)</source>
        <translation>从文件读取（超过内存上限）</translation>
    </message>
    <message>
        <source>The feature cache {folder} could not be read back.</source>
        <translation>无法读回特征缓存 {folder}。</translation>
    </message>
</context>
<context>
    <name>DataFixes</name>
    <message>
        <source>Move to class</source>
        <translation>移到类别</translation>
    </message>
    <message>
        <source>Class folder:</source>
        <translation>类别文件夹：</translation>
    </message>
    <message>
        <source>Move?</source>
        <translation>移动？</translation>
    </message>
    <message>
        <source>Set aside?</source>
        <translation>移出？</translation>
    </message>
    <message numerus="yes">
        <source>Move %n file(s) into the class folder &apos;{where}&apos; of the dataset?</source>
        <translation>
            <numerusform>把 %n 个文件移到数据集的类别文件夹“{where}”？</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Move %n file(s) out of the classes, into the dataset&apos;s _set_aside/ folder?</source>
        <translation>
            <numerusform>把 %n 个文件移出所有类别，放进数据集的 _set_aside/ 文件夹？</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing is deleted: each move is logged in the dataset&apos;s _convstudio_changes.csv, and Undo puts the files back. You will not be asked again for this action until ConvStudio restarts.</source>
        <translation>不会删除任何文件：每次移动都记录在数据集的 _convstudio_changes.csv 中，“撤销”可以把文件放回原处。在 ConvStudio 重启之前，这个操作不会再询问。</translation>
    </message>
</context>
<context>
    <name>DataPanel</name>
    <message>
        <source>The dataset is read as soon as PyTorch has loaded (a few seconds). Meanwhile: Built-in digits is ready to train on, Open folder... (or a folder dropped here) uses your own pictures, one sub-folder per class.</source>
        <translation>PyTorch 载入后（几秒钟）就会读取数据集。在此之前：“内置数字”可以直接用来训练；“打开文件夹...”（或把文件夹拖到这里）使用你自己的图片，每个类别一个子文件夹。</translation>
    </message>
    <message>
        <source>Dataset:</source>
        <translation>数据集：</translation>
    </message>
    <message>
        <source>Built-in digits</source>
        <translation>内置数字</translation>
    </message>
    <message>
        <source>scikit-learn&apos;s 1,797 handwritten digits (8x8, upscaled to 28x28), split 80/20 with a fixed seed. No files or network needed.</source>
        <translation>scikit-learn 的 1,797 张手写数字（8x8，放大到 28x28），用固定随机种子按 80/20 划分。不需要文件，也不需要联网。</translation>
    </message>
    <message>
        <source>Open folder...</source>
        <translation>打开文件夹...</translation>
    </message>
    <message>
        <source>A folder with one sub-folder per class (split automatically), or with train/ and valid/ (or val/) folders that each hold the class folders.</source>
        <translation>每个类别一个子文件夹的文件夹（自动划分），或包含 train/ 和 valid/（或 val/）文件夹、其中各有类别文件夹的文件夹。</translation>
    </message>
    <message>
        <source>Rescan</source>
        <translation>重新扫描</translation>
    </message>
    <message>
        <source>Read the dataset again (after adding or removing files).</source>
        <translation>重新读取数据集（添加或删除文件之后）。</translation>
    </message>
    <message>
        <source>checking %v / %m</source>
        <translation>检查中 %v / %m</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Open dataset folder</source>
        <translation>打开数据集文件夹</translation>
    </message>
    <message>
        <source>Reading {source} ...</source>
        <translation>正在读取 {source} ...</translation>
    </message>
    <message>
        <source>No dataset loaded.</source>
        <translation>没有载入数据集。</translation>
    </message>
    <message>
        <source>Scan cancelled.</source>
        <translation>扫描已取消。</translation>
    </message>
</context>
<context>
    <name>DataSession</name>
    <message>
        <source>Could not use {source}: {reason} Still using {current}.</source>
        <translation>无法使用 {source}：{reason} 仍在使用 {current}。</translation>
    </message>
    <message>
        <source>Could not use {source}: {reason}</source>
        <translation>无法使用 {source}：{reason}</translation>
    </message>
</context>
<context>
    <name>DataView</name>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Valid</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>valid</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>varied sizes</source>
        <translation>尺寸不一</translation>
    </message>
    <message numerus="yes">
        <source>%n class(es)</source>
        <translation>
            <numerusform>%n 个类别</numerusform>
        </translation>
    </message>
    <message>
        <source>{train} training and {valid} validation images</source>
        <translation>{train} 张训练图像，{valid} 张验证图像</translation>
    </message>
    <message>
        <source>grayscale</source>
        <translation>灰度</translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message>
        <source>Grad-CAM (where the model looked)</source>
        <translation>Grad-CAM（模型关注的位置）</translation>
    </message>
    <message>
        <source>Fix the data</source>
        <translation>修正数据</translation>
    </message>
    <message>
        <source>Move to class...</source>
        <translation>移到类别...</translation>
    </message>
    <message>
        <source>Set aside</source>
        <translation>移出</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Retrain with these changes</source>
        <translation>用这些更改重新训练</translation>
    </message>
    <message>
        <source>Train again with the Train tab&apos;s settings on the fixed data.</source>
        <translation>用“训练”页的设置在修正后的数据上再训练一次。</translation>
    </message>
    <message>
        <source>Move the selected images&apos; files into another class folder.</source>
        <translation>把所选图像的文件移到另一个类别文件夹。</translation>
    </message>
    <message>
        <source>Move the selected images&apos; files into _set_aside/ inside the dataset, out of every class (nothing is deleted).</source>
        <translation>把所选图像的文件移到数据集内的 _set_aside/，使其不属于任何类别（不会删除任何文件）。</translation>
    </message>
    <message>
        <source>Select images in the gallery.</source>
        <translation>请在图库中选择图像。</translation>
    </message>
    <message>
        <source>Put the files of the last change back.</source>
        <translation>把上一次更改的文件放回原处。</translation>
    </message>
    <message>
        <source>No change to undo.</source>
        <translation>没有可撤销的更改。</translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) this session; Undo goes back one at a time.</source>
        <translation>
            <numerusform>本次共 %n 处更改；“撤销”每次退回一步。</numerusform>
        </translation>
    </message>
    <message>
        <source>Changes are logged in the dataset&apos;s _convstudio_changes.csv.</source>
        <translation>更改会记录在数据集的 _convstudio_changes.csv 中。</translation>
    </message>
</context>
<context>
    <name>DiffView</name>
    <message>
        <source>Select two or more runs to see the settings that differ.</source>
        <translation>选择两个或更多运行，查看不同的设置。</translation>
    </message>
    <message numerus="yes">
        <source>Settings that differ between %n run(s).</source>
        <translation>
            <numerusform>%n 个运行之间不同的设置。</numerusform>
        </translation>
    </message>
    <message>
        <source>All their settings are the same.</source>
        <translation>它们的设置全部相同。</translation>
    </message>
    <message>
        <source>No readable config.json: {runs}.</source>
        <translation>没有可读的 config.json：{runs}。</translation>
    </message>
    <message>
        <source>Setting</source>
        <translation>设置</translation>
    </message>
</context>
<context>
    <name>DragAndDrop</name>
    <message>
        <source>The dropped {format} data is not a readable image.</source>
        <translation>拖入的 {format} 数据不是可读取的图像。</translation>
    </message>
    <message>
        <source>&apos;{url}&apos; is not a local file: save it to disk first, then drop it.</source>
        <translation>“{url}”不是本地文件：请先保存到磁盘再拖入。</translation>
    </message>
</context>
<context>
    <name>DropZone</name>
    <message>
        <source>Drop images or folders here
(or use Open images..., or paste with Ctrl+V)</source>
        <translation>把图像或文件夹拖到这里
（或用“打开图像...”，或按 Ctrl+V 粘贴）</translation>
    </message>
</context>
<context>
    <name>EditorPane</name>
    <message>
        <source>(custom)</source>
        <translation>(自定义)</translation>
    </message>
    <message>
        <source>Geometry</source>
        <translation>几何</translation>
    </message>
    <message>
        <source>Color</source>
        <translation>颜色</translation>
    </message>
    <message>
        <source>Policy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>Tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <source>Train pipeline</source>
        <translation>训练流水线</translation>
    </message>
    <message>
        <source>Eval pipeline</source>
        <translation>评估流水线</translation>
    </message>
    <message>
        <source>Drag to reorder; tick to enable a step.</source>
        <translation>拖动可调整顺序；勾选以启用某一步。</translation>
    </message>
    <message>
        <source>What validation and prediction do (stored in the model bundle).</source>
        <translation>验证和预测时所做的处理（保存在模型包中）。</translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation>预设：</translation>
    </message>
    <message>
        <source>seed = the notes&apos; pipeline; digits = 28x28 grayscale. Choosing a preset keeps your own edits: (custom) brings them back.</source>
        <translation>seed = 讲义中的流水线；digits = 28x28 灰度。选择预设会保留你自己的修改：选“(自定义)”即可找回。</translation>
    </message>
    <message>
        <source>Save preset…</source>
        <translation>保存预设…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete the selected user preset.</source>
        <translation>删除所选的用户预设。</translation>
    </message>
    <message>
        <source>Add ▾</source>
        <translation>添加 ▾</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Remove the selected step.</source>
        <translation>移除所选步骤。</translation>
    </message>
    <message>
        <source>Move the selected step up.</source>
        <translation>把所选步骤上移。</translation>
    </message>
    <message>
        <source>Move the selected step down.</source>
        <translation>把所选步骤下移。</translation>
    </message>
    <message>
        <source>Load JSON…</source>
        <translation>载入 JSON…</translation>
    </message>
    <message>
        <source>Load train/eval pipelines from a JSON file.</source>
        <translation>从 JSON 文件载入训练/评估流水线。</translation>
    </message>
    <message>
        <source>Save JSON…</source>
        <translation>保存 JSON…</translation>
    </message>
    <message>
        <source>Save both pipelines as JSON (usable with --augment).</source>
        <translation>把两条流水线保存为 JSON（可用于 --augment）。</translation>
    </message>
    <message>
        <source>Copy as code</source>
        <translation>复制为代码</translation>
    </message>
    <message>
        <source>Put the torchvision Python source on the clipboard.</source>
        <translation>把对应的 torchvision Python 代码放到剪贴板。</translation>
    </message>
    <message>
        <source>Copied ✓</source>
        <translation>已复制 ✓</translation>
    </message>
    <message>
        <source>{name} (mine)</source>
        <translation>{name}（我的）</translation>
    </message>
    <message>
        <source>Save preset</source>
        <translation>保存预设</translation>
    </message>
    <message>
        <source>Preset name:</source>
        <translation>预设名称：</translation>
    </message>
    <message>
        <source>Load pipeline</source>
        <translation>载入流水线</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Save pipeline</source>
        <translation>保存流水线</translation>
    </message>
</context>
<context>
    <name>EpochTable</name>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>train loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>train acc</source>
        <translation>训练准确率</translation>
    </message>
    <message>
        <source>val loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <source>val acc</source>
        <translation>验证准确率</translation>
    </message>
    <message>
        <source>lr</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>秒</translation>
    </message>
</context>
<context>
    <name>ErrorLog</name>
    <message>
        <source>No log yet ({reason}).</source>
        <translation>还没有日志（{reason}）。</translation>
    </message>
</context>
<context>
    <name>EvaluateJobs</name>
    <message>
        <source>&apos;{path}&apos; does not exist: pick a best.pt from a run folder.</source>
        <translation>“{path}”不存在：请选择运行文件夹中的 best.pt。</translation>
    </message>
    <message>
        <source>The model does not record the data it was trained on: open a labelled folder.</source>
        <translation>模型没有记录训练时用的数据：请打开一个带标注的文件夹。</translation>
    </message>
</context>
<context>
    <name>EvaluatePanel</name>
    <message>
        <source>Click a class to see its images; click a header to sort.</source>
        <translation>点击类别查看其图像；点击表头排序。</translation>
    </message>
    <message>
        <source>Run &lt;b&gt;{run}&lt;/b&gt; finished. &lt;a href=&quot;open&quot;&gt;Show its evaluation&lt;/a&gt; (the one on show stays until then).</source>
        <translation>运行 &lt;b&gt;{run}&lt;/b&gt; 已结束。&lt;a href=&quot;open&quot;&gt;显示它的评估&lt;/a&gt;（在此之前保留当前显示的评估）。</translation>
    </message>
    <message>
        <source>&lt;b&gt;true {true}, predicted {predicted}&lt;/b&gt; (right): {count}</source>
        <translation>&lt;b&gt;真实 {true}，预测 {predicted}&lt;/b&gt;（正确）：{count}</translation>
    </message>
    <message>
        <source>&lt;b&gt;true {true}, predicted {predicted}&lt;/b&gt; (wrong): {count}</source>
        <translation>&lt;b&gt;真实 {true}，预测 {predicted}&lt;/b&gt;（错误）：{count}</translation>
    </message>
    <message>
        <source>&lt;b&gt;class {name}&lt;/b&gt;: {count}</source>
        <translation>&lt;b&gt;类别 {name}&lt;/b&gt;：{count}</translation>
    </message>
    <message>
        <source>&lt;b&gt;all images&lt;/b&gt;: {count}</source>
        <translation>&lt;b&gt;全部图像&lt;/b&gt;：{count}</translation>
    </message>
    <message>
        <source>Drop a model bundle (.pt) and/or a labelled folder.</source>
        <translation>请拖入模型包（.pt）和/或带标注的文件夹。</translation>
    </message>
    <message>
        <source>Now open or drop a model bundle (.pt) to evaluate on it.</source>
        <translation>现在请打开或拖入一个模型包（.pt），在它上面评估。</translation>
    </message>
    <message numerus="yes">
        <source>Evaluate: %n image(s), accuracy {accuracy}</source>
        <translation>
            <numerusform>评估：%n 张图像，准确率 {accuracy}</numerusform>
        </translation>
    </message>
    <message>
        <source>{title} &amp;nbsp;&lt;small&gt;most confidently wrong first&lt;/small&gt;</source>
        <translation>{title} &amp;nbsp;&lt;small&gt;最自信的错误排在最前&lt;/small&gt;</translation>
    </message>
    <message>
        <source>Select an image in the gallery.</source>
        <translation>请在图库中选择一张图像。</translation>
    </message>
    <message>
        <source>Evaluate which model?</source>
        <translation>评估哪个模型？</translation>
    </message>
    <message>
        <source>On which labelled folder? (Cancel: the data it was trained on)</source>
        <translation>在哪个带标注的文件夹上？（取消：用它训练时的数据）</translation>
    </message>
    <message>
        <source>Open model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>Open a labelled folder</source>
        <translation>打开带标注的文件夹</translation>
    </message>
    <message>
        <source>Model bundles (*.pt *.pth);;All files (*)</source>
        <translation>模型包 (*.pt *.pth);;所有文件 (*)</translation>
    </message>
    <message>
        <source>&lt;b&gt;No evaluation yet.&lt;/b&gt;</source>
        <translation>&lt;b&gt;还没有评估。&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Train a model (its evaluation opens here when the run ends), use File &gt; Open in Evaluate..., or drop a model bundle and a labelled folder here.</source>
        <translation>训练一个模型（运行结束时它的评估会在这里打开），或使用“文件 &gt; 在评估中打开...”，或把模型包和带标注的文件夹拖到这里。</translation>
    </message>
    <message>
        <source>Gallery</source>
        <translation>图库</translation>
    </message>
</context>
<context>
    <name>EvaluateSession</name>
    <message>
        <source>Opening the evaluation of {run} ...</source>
        <translation>正在打开 {run} 的评估 ...</translation>
    </message>
    <message>
        <source>Open a model first (a best.pt bundle), then a labelled folder.</source>
        <translation>请先打开模型（best.pt 模型包），再打开带标注的文件夹。</translation>
    </message>
    <message>
        <source>the data the model was trained on</source>
        <translation>模型训练时用的数据</translation>
    </message>
    <message>
        <source>Evaluating {model} on {data} ({split}) ...</source>
        <translation>正在 {data}（{split}）上评估 {model} ...</translation>
    </message>
    <message>
        <source>Could not evaluate: {reason}</source>
        <translation>无法评估：{reason}</translation>
    </message>
    <message>
        <source>Evaluation cancelled; the previous one is still shown.</source>
        <translation>评估已取消；仍显示上一次的评估。</translation>
    </message>
    <message>
        <source>Evaluate a model on a folder dataset first.</source>
        <translation>请先在文件夹数据集上评估一个模型。</translation>
    </message>
    <message>
        <source>An evaluation is running; fix the data when it has finished.</source>
        <translation>正在评估；请在评估完成后再修正数据。</translation>
    </message>
    <message>
        <source>The built-in digits are read-only: fixes work on a folder dataset (open one with File &gt; Open in Evaluate...).</source>
        <translation>内置数字是只读的：修正只适用于文件夹数据集（用“文件 &gt; 在评估中打开...”打开一个）。</translation>
    </message>
    <message>
        <source>The dataset folder &apos;{folder}&apos; cannot be written to.</source>
        <translation>无法写入数据集文件夹“{folder}”。</translation>
    </message>
    <message>
        <source>Nothing to fix.</source>
        <translation>没有需要修正的内容。</translation>
    </message>
    <message>
        <source>&apos;{file}&apos; was moved already.</source>
        <translation>“{file}”已经移动过了。</translation>
    </message>
    <message numerus="yes">
        <source>Setting %n file(s) aside ...</source>
        <translation>
            <numerusform>正在将 %n 个文件放到一边……</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Moving %n file(s) to &apos;{name}&apos; ...</source>
        <translation>
            <numerusform>正在将 %n 个文件移到“{name}”……</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Putting %n file(s) back ...</source>
        <translation>
            <numerusform>正在放回 %n 个文件……</numerusform>
        </translation>
    </message>
    <message>
        <source>Moving files stopped: {reason}. Each file moved is logged in {log}.</source>
        <translation>移动文件中止：{reason}。每个已移动的文件都记录在 {log} 中。</translation>
    </message>
    <message>
        <source>moved to {name}</source>
        <translation>已移到 {name}</translation>
    </message>
    <message>
        <source>set aside</source>
        <translation>已移出</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) set aside. {problems}</source>
        <translation>
            <numerusform>已移出 %n 个文件。{problems}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) moved to &apos;{name}&apos;. {problems}</source>
        <translation>
            <numerusform>已把 %n 个文件移到“{name}”。{problems}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) set aside; logged in {log}. Undo puts them back.</source>
        <translation>
            <numerusform>已移出 %n 个文件；记录在 {log} 中。“撤销”可以放回。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) moved to &apos;{name}&apos;; logged in {log}. Undo puts them back.</source>
        <translation>
            <numerusform>已把 %n 个文件移到“{name}”；记录在 {log} 中。“撤销”可以放回。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Stopped: %n file(s) were not put back.</source>
        <translation>
            <numerusform>已停止：%n 个文件未放回。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) put back. {problems}</source>
        <translation>
            <numerusform>已放回 %n 个文件。{problems}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Undone: %n file(s) are back where they were.</source>
        <translation>
            <numerusform>已撤销：%n 个文件已回到原处。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Stopped: %n file(s) were not moved.</source>
        <translation>
            <numerusform>已停止：%n 个文件未移动。</numerusform>
        </translation>
    </message>
    <message>
        <source>An evaluation is running; undo when it has finished.</source>
        <translation>正在评估；请在评估完成后再撤销。</translation>
    </message>
    <message>
        <source>Files are being moved; wait until that is done (or press Cancel).</source>
        <translation>正在移动文件；请等待完成（或按“取消”）。</translation>
    </message>
    <message>
        <source>Fixes made in {names} can be undone when that dataset is open here again.</source>
        <translation>在 {names} 中做的修正，等该数据集再次在这里打开时可以撤销。</translation>
    </message>
    <message>
        <source>Nothing to undo in this dataset. {note}</source>
        <translation>这个数据集中没有可撤销的更改。{note}</translation>
    </message>
    <message>
        <source>Nothing to undo.</source>
        <translation>没有可撤销的更改。</translation>
    </message>
</context>
<context>
    <name>EvaluationSummary</name>
    <message>
        <source>n/a</source>
        <translation>无</translation>
    </message>
    <message numerus="yes">
        <source>&lt;b&gt;Accuracy {accuracy}&lt;/b&gt; on %n image(s) ({wrong} wrong) &amp;nbsp;·&amp;nbsp; top-{k} {topk} &amp;nbsp;·&amp;nbsp; macro F1 {f1} &amp;nbsp;·&amp;nbsp; {calibration}</source>
        <translation>
            <numerusform>&lt;b&gt;准确率 {accuracy}&lt;/b&gt;，共 %n 张图像（错 {wrong} 张）&amp;nbsp;·&amp;nbsp; top-{k} {topk} &amp;nbsp;·&amp;nbsp; 宏平均 F1 {f1} &amp;nbsp;·&amp;nbsp; {calibration}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) could not be read (hover for why).</source>
        <translation>
            <numerusform>%n 个文件无法读取（悬停查看原因）。</numerusform>
        </translation>
    </message>
    <message>
        <source>Read from the run folder (evaluation.json, predictions.csv).</source>
        <translation>读自运行文件夹（evaluation.json、predictions.csv）。</translation>
    </message>
    <message>
        <source>Click a cell or a class to see its images.</source>
        <translation>点击单元格或类别查看其图像。</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Usage snippet (.py)</source>
        <translation>使用示例代码 (.py)</translation>
    </message>
    <message>
        <source>Training script (.py)</source>
        <translation>训练脚本 (.py)</translation>
    </message>
    <message>
        <source>Wrote {path} ({size}, exported in {seconds} s)</source>
        <translation>已写入 {path}（{size}，导出用时 {seconds} 秒）</translation>
    </message>
    <message>
        <source>Checked against the bundle on {images} images ({source}):</source>
        <translation>已在 {images} 张图像上与模型包比对（{source}）：</translation>
    </message>
    <message>
        <source>top-1 agrees on {agree}/{images}, max |logit difference| {diff} (allowed &lt; 1e-4)</source>
        <translation>top-1 一致 {agree}/{images}，最大 |logit 差| {diff}（允许 &lt; 1e-4）</translation>
    </message>
    <message>
        <source>Export model</source>
        <translation>导出模型</translation>
    </message>
    <message>
        <source>a best.pt from a run folder</source>
        <translation>运行文件夹中的 best.pt</translation>
    </message>
    <message>
        <source>Model bundle:</source>
        <translation>模型包：</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>Save as:</source>
        <translation>另存为：</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>浏览...</translation>
    </message>
    <message>
        <source>Model to export</source>
        <translation>要导出的模型</translation>
    </message>
    <message>
        <source>Model bundles (*.pt);;All files (*)</source>
        <translation>模型包 (*.pt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Save export as</source>
        <translation>导出为</translation>
    </message>
    <message>
        <source>Choose a model bundle (a best.pt from a run folder).</source>
        <translation>请选择模型包（运行文件夹中的 best.pt）。</translation>
    </message>
    <message>
        <source>Choose the file to write.</source>
        <translation>请选择要写入的文件。</translation>
    </message>
    <message>
        <source>The export would overwrite the bundle itself; choose another file name.</source>
        <translation>导出会覆盖模型包本身；请换一个文件名。</translation>
    </message>
    <message>
        <source>Exporting {file} and checking the file...</source>
        <translation>正在导出 {file} 并检查文件...</translation>
    </message>
</context>
<context>
    <name>FromModelTab</name>
    <message>
        <source>input channels: 1 (grayscale) or 3 (RGB)</source>
        <translation>输入通道数：1（灰度）或 3（RGB）</translation>
    </message>
    <message>
        <source>input height and width in pixels</source>
        <translation>输入的高和宽（像素）</translation>
    </message>
    <message>
        <source>Trace</source>
        <translation>追踪</translation>
    </message>
    <message>
        <source>build the model and run one image through it</source>
        <translation>构建模型，并让一张图像通过它</translation>
    </message>
    <message>
        <source>Pick a model and an input size, then Trace.</source>
        <translation>选择模型和输入尺寸，然后点“追踪”。</translation>
    </message>
    <message>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>channels</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Tracing {arch} on {shape}...</source>
        <translation>正在用 {shape} 追踪 {arch}...</translation>
    </message>
    <message numerus="yes">
        <source>{arch} on {shape}: %n layer call(s) (the forward pass stopped at the last one); the model has {params} parameters</source>
        <translation>
            <numerusform>{arch}，输入 {shape}：%n 次层调用（前向传播在最后一次停止）；模型共有 {params} 个参数</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{arch} on {shape}: %n layer call(s); the model has {params} parameters</source>
        <translation>
            <numerusform>{arch}，输入 {shape}：%n 次层调用；模型共有 {params} 个参数</numerusform>
        </translation>
    </message>
    <message>
        <source>Trace failed.</source>
        <translation>追踪失败。</translation>
    </message>
</context>
<context>
    <name>GalleryModel</name>
    <message>
        <source>image #{number}</source>
        <translation>图像 #{number}</translation>
    </message>
    <message>
        <source>true: {name}  ({prob})</source>
        <translation>真实：{name}  （{prob}）</translation>
    </message>
    <message>
        <source>predicted: {name}  ({prob})</source>
        <translation>预测：{name}  （{prob}）</translation>
    </message>
    <message>
        <source>loss: {loss}</source>
        <translation>损失：{loss}</translation>
    </message>
</context>
<context>
    <name>GalleryPane</name>
    <message>
        <source>Show all</source>
        <translation>全部显示</translation>
    </message>
    <message>
        <source>Every evaluated image, most confidently wrong first.</source>
        <translation>所有评估过的图像，最自信的错误排在最前。</translation>
    </message>
</context>
<context>
    <name>HelpPages</name>
    <message>
        <source>Loading PyTorch (a few seconds) ...</source>
        <translation>正在载入 PyTorch（几秒钟）...</translation>
    </message>
    <message>
        <source>Training starts as soon as PyTorch has loaded (a few seconds) ...</source>
        <translation>PyTorch 载入后（几秒钟）立即开始训练 ...</translation>
    </message>
    <message>
        <source>drag and drop</source>
        <translation>拖放</translation>
    </message>
    <message>
        <source>Predict: paste an image or copied files</source>
        <extracomment>shortcuts a panel handles itself (not window actions): (what, keys), in English</extracomment>
        <translation>预测：粘贴一张图像或复制的文件</translation>
    </message>
    <message>
        <source>Predict: drop images or folders anywhere on the window</source>
        <translation>预测：把图像或文件夹拖到窗口任意位置</translation>
    </message>
    <message>
        <source>Data: drop a folder on the Data tab to train on it</source>
        <translation>数据：把文件夹拖到“数据”页，用它来训练</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Getting started&lt;/h3&gt;
&lt;ol&gt;
&lt;li&gt;&lt;b&gt;Train.&lt;/b&gt; Press Train (F5) to train a small CNN on the built-in digits. The curves
move after a few seconds; the best epoch is saved as &lt;i&gt;best.pt&lt;/i&gt; in a run folder and
loaded in the Predict tab.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Predict.&lt;/b&gt; Drop a picture (or a folder of them) anywhere on the window: the
Predict tab shows the top-5 classes, and Grad-CAM shows where the model looked. A
&amp;#9888; mark says the picture is unlike what the model was trained on.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Your own pictures.&lt;/b&gt; Put them in one folder per class
(&lt;i&gt;photos/cat/&lt;/i&gt;, &lt;i&gt;photos/dog/&lt;/i&gt; ...), then File &amp;gt; Open dataset folder
(Ctrl+O) or drop the folder on the Data tab. The Data tab lists skipped files and
warns of tiny or unbalanced classes.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Augment.&lt;/b&gt; The Augment tab shows what training does to the pictures: pick a
preset (&lt;i&gt;seed&lt;/i&gt; is the classic ImageNet recipe, &lt;i&gt;digits&lt;/i&gt; suits the built-in
digits) or edit the steps, and watch the preview.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Understand.&lt;/b&gt; The Calculator tab works out a convolution&apos;s output size
&lt;i&gt;H2 = (H - F + 2P) / S + 1&lt;/i&gt; and traces a real model layer by layer.&lt;/li&gt;
&lt;/ol&gt;
&lt;p&gt;Everything here also runs from the command line: &lt;code&gt;python main.py train --help&lt;/code&gt;.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;入门&lt;/h3&gt;
&lt;ol&gt;
&lt;li&gt;&lt;b&gt;训练。&lt;/b&gt;按“训练”（F5），在内置数字上训练一个小型 CNN。几秒钟后曲线开始变化；
验证集上最好的轮次会以 &lt;i&gt;best.pt&lt;/i&gt; 保存在运行文件夹中，并自动载入“预测”页。&lt;/li&gt;
&lt;li&gt;&lt;b&gt;预测。&lt;/b&gt;把一张图片（或一个图片文件夹）拖到窗口任意位置：“预测”页显示前 5 个类别，
Grad-CAM 显示模型关注的位置。&amp;#9888; 标记表示这张图片与模型的训练数据不同。&lt;/li&gt;
&lt;li&gt;&lt;b&gt;你自己的图片。&lt;/b&gt;按类别放进不同的文件夹（&lt;i&gt;photos/cat/&lt;/i&gt;、&lt;i&gt;photos/dog/&lt;/i&gt; ...），
然后用“文件 &amp;gt; 打开数据集文件夹”（Ctrl+O），或把文件夹拖到“数据”页。
“数据”页会列出跳过的文件，并对样本太少或不平衡的类别给出警告。&lt;/li&gt;
&lt;li&gt;&lt;b&gt;数据增强。&lt;/b&gt;“数据增强”页展示训练对图片做了什么：选择一个预设（&lt;i&gt;seed&lt;/i&gt; 是经典的
ImageNet 做法，&lt;i&gt;digits&lt;/i&gt; 适合内置数字），或编辑各个步骤，观察预览。&lt;/li&gt;
&lt;li&gt;&lt;b&gt;理解。&lt;/b&gt;“计算器”页按公式 &lt;i&gt;H2 = (H - F + 2P) / S + 1&lt;/i&gt; 计算卷积的输出尺寸，
还能逐层追踪一个真实的模型。&lt;/li&gt;
&lt;/ol&gt;
&lt;p&gt;这里的一切也都能在命令行中完成：&lt;code&gt;python main.py train --help&lt;/code&gt;。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Next: press Train (F5) to train a small CNN on the built-in digits.</source>
        <translation>下一步：按“训练”（F5），在内置数字上训练一个小型 CNN。</translation>
    </message>
    <message>
        <source>Next: press Train (F5) to train on {name}.</source>
        <translation>下一步：按“训练”（F5），在 {name} 上训练。</translation>
    </message>
    <message>
        <source> or </source>
        <translation> 或 </translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>loading...</source>
        <translation>载入中...</translation>
    </message>
    <message>
        <source>unknown until PyTorch is loaded</source>
        <translation>PyTorch 载入后才知道</translation>
    </message>
    <message>
        <source>Device: {device}</source>
        <translation>设备：{device}</translation>
    </message>
    <message>
        <source>Device: {device} (CPU bfloat16 support: yes)</source>
        <translation>设备：{device}（CPU 支持 bfloat16：是）</translation>
    </message>
    <message>
        <source>Device: {device} (CPU bfloat16 support: no)</source>
        <translation>设备：{device}（CPU 支持 bfloat16：否）</translation>
    </message>
    <message>
        <source>ConvStudio: a desktop workbench for training image classifiers with PyTorch.</source>
        <translation>ConvStudio：用 PyTorch 训练图像分类器的桌面工作台。</translation>
    </message>
    <message>
        <source>ConvStudio log - {path}</source>
        <translation>ConvStudio 日志 - {path}</translation>
    </message>
    <message>
        <source>Log file: {path}</source>
        <translation>日志文件：{path}</translation>
    </message>
</context>
<context>
    <name>InputPane</name>
    <message>
        <source>Open images...</source>
        <translation>打开图像...</translation>
    </message>
    <message>
        <source>Open folder...</source>
        <translation>打开文件夹...</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>粘贴</translation>
    </message>
    <message>
        <source>Predict the image or files on the clipboard (Ctrl+V).</source>
        <translation>预测剪贴板中的图像或文件（Ctrl+V）。</translation>
    </message>
    <message>
        <source>Uncertain below</source>
        <translation>不确定阈值</translation>
    </message>
    <message>
        <source>Mark a prediction as uncertain when its top probability is below this value.</source>
        <translation>最高概率低于此值时，把预测标为“不确定”。</translation>
    </message>
    <message>
        <source>Overlay where the model looked (last convolutional block).</source>
        <translation>叠加显示模型关注的位置（最后一个卷积块）。</translation>
    </message>
    <message>
        <source>Heatmap opacity</source>
        <translation>热力图不透明度</translation>
    </message>
    <message>
        <source>opacity</source>
        <translation>不透明度</translation>
    </message>
</context>
<context>
    <name>KernelView</name>
    <message>
        <source>input {rows}x{cols} incl. padding {padding} (first {cells} shown)</source>
        <translation>输入 {rows}x{cols}，含填充 {padding}（只显示前 {cells} 格）</translation>
    </message>
    <message>
        <source>input {rows}x{cols} incl. padding {padding}</source>
        <translation>输入 {rows}x{cols}，含填充 {padding}</translation>
    </message>
    <message>
        <source>no output: the kernel is larger than the padded input</source>
        <translation>没有输出：卷积核比填充后的输入还大</translation>
    </message>
    <message>
        <source>output {rows}x{cols} (first {cells} shown)</source>
        <translation>输出 {rows}x{cols}（只显示前 {cells} 格）</translation>
    </message>
    <message>
        <source>output {rows}x{cols}</source>
        <translation>输出 {rows}x{cols}</translation>
    </message>
</context>
<context>
    <name>LRFindDialog</name>
    <message>
        <source>Find learning rate</source>
        <translation>寻找学习率</translation>
    </message>
    <message>
        <source>Training a copy of the model on one batch per learning rate, from {start:g} up, until the loss diverges...</source>
        <translation>正在用模型的副本训练：每个学习率训练一个批次，从 {start:g} 开始逐步增大，直到损失发散...</translation>
    </message>
    <message>
        <source>learning rate (log scale)</source>
        <translation>学习率（对数刻度）</translation>
    </message>
    <message>
        <source>training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>loss per batch</source>
        <translation>每批次损失</translation>
    </message>
    <message>
        <source>smoothed</source>
        <translation>平滑后</translation>
    </message>
    <message>
        <source>Use this</source>
        <translation>使用此值</translation>
    </message>
    <message>
        <source>Put the suggested rate into the Learning rate field.</source>
        <translation>把建议的学习率填入“学习率”一栏。</translation>
    </message>
    <message numerus="yes">
        <source>%n learning rate(s) from {low:.2g} to {high:.2g} (stopped there: the loss diverged).</source>
        <translation>
            <numerusform>%n 个学习率，从 {low:.2g} 到 {high:.2g}（损失在那里发散，因此停止）。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n learning rate(s) from {low:.2g} to {high:.2g}.</source>
        <translation>
            <numerusform>%n 个学习率，从 {low:.2g} 到 {high:.2g}。</numerusform>
        </translation>
    </message>
    <message>
        <source>No suggestion: the loss did not fall over {tried} Try other settings.</source>
        <translation>没有建议：损失没有下降。尝试了 {tried}请换一些设置再试。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Suggested learning rate: {lr:.3g}&lt;/b&gt;, where the smoothed loss falls fastest. Tried {tried}</source>
        <translation>&lt;b&gt;建议的学习率：{lr:.3g}&lt;/b&gt;，平滑后的损失在这里下降得最快。已尝试 {tried}</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>The range test failed: {reason}</source>
        <translation>学习率范围测试失败：{reason}</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
</context>
<context>
    <name>LRFinder</name>
    <message>
        <source>Find learning rate</source>
        <translation>寻找学习率</translation>
    </message>
    <message>
        <source>Try learning rates from {start:g} to {end:g} on a copy of the model, one batch each, and suggest the one where the loss falls fastest (nothing is saved).</source>
        <translation>在模型的副本上尝试从 {start:g} 到 {end:g} 的学习率（每个训练一个批次），并建议损失下降最快的那个（不保存任何文件）。</translation>
    </message>
    <message>
        <source>Cannot find a learning rate: {reason}</source>
        <translation>无法寻找学习率：{reason}</translation>
    </message>
</context>
<context>
    <name>LabelledNote</name>
    <message>
        <source>Open in Evaluate</source>
        <translation>在评估中打开</translation>
    </message>
    <message>
        <source>Accuracy, confusion matrix and mistakes of the model on it.</source>
        <translation>模型在它上面的准确率、混淆矩阵和错误样本。</translation>
    </message>
    <message>
        <source>&lt;b&gt;{folder}&lt;/b&gt; is a labelled folder (classes the model knows: {classes}): open it in Evaluate for its accuracy and confusion matrix.</source>
        <translation>&lt;b&gt;{folder}&lt;/b&gt; 是带标注的文件夹（模型认识的类别：{classes}）：在“评估”中打开可查看准确率和混淆矩阵。</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>The interface will be in {language} after ConvStudio restarts.</source>
        <extracomment>(code, the language&apos;s own name): what View &gt; Language offers installed fonts with Simplified Chinese glyphs, preferred first</extracomment>
        <translation>ConvStudio 重启后界面将使用{language}。</translation>
    </message>
</context>
<context>
    <name>LayerStackTab</name>
    <message>
        <source>Presets...</source>
        <translation>预设...</translation>
    </message>
    <message>
        <source>input channels</source>
        <translation>输入通道数</translation>
    </message>
    <message>
        <source>input height</source>
        <translation>输入高度</translation>
    </message>
    <message>
        <source>input width</source>
        <translation>输入宽度</translation>
    </message>
    <message>
        <source>layer spec (double-click to edit)</source>
        <translation>层描述（双击编辑）</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>add a layer below the selected one</source>
        <translation>在所选层下方添加一层</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Specs: {help}</source>
        <translation>写法：{help}</translation>
    </message>
    <message>
        <source>input C, H, W</source>
        <translation>输入 C, H, W</translation>
    </message>
    <message>
        <source>total parameters: {count}</source>
        <translation>参数总数：{count}</translation>
    </message>
    <message>
        <source>output: {shape}</source>
        <translation>输出：{shape}</translation>
    </message>
    <message>
        <source>receptive field: {size} (at {layer})</source>
        <translation>感受野：{size}（在 {layer}）</translation>
    </message>
</context>
<context>
    <name>LivePlots</name>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Loss per batch</source>
        <translation>每批次损失</translation>
    </message>
    <message>
        <source>batch</source>
        <translation>批次</translation>
    </message>
    <message>
        <source>Loss per epoch</source>
        <translation>每轮次损失</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>lr</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>raw</source>
        <translation>原始</translation>
    </message>
    <message>
        <source>smoothed</source>
        <translation>平滑后</translation>
    </message>
    <message>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>valid</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>best</source>
        <translation>最佳</translation>
    </message>
    <message>
        <source>Export PNG...</source>
        <translation>导出 PNG...</translation>
    </message>
    <message>
        <source>Save the four plots as one PNG image.</source>
        <translation>把四张图保存为一张 PNG 图像。</translation>
    </message>
    <message>
        <source>Could not write {path}; choose a folder you can write to.</source>
        <translation>无法写入 {path}；请选择一个可以写入的文件夹。</translation>
    </message>
    <message>
        <source>Export plots as PNG</source>
        <translation>把图导出为 PNG</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>The {panel} panel is unavailable: {error}
The other panels still work.</source>
        <translation>“{panel}”面板不可用：{error}
其他面板仍可使用。</translation>
    </message>
    <message>
        <source>Loading the {panel} panel...</source>
        <translation>正在载入“{panel}”面板...</translation>
    </message>
    <message>
        <source>The Evaluate tab is moving files of a dataset; train when that is done.</source>
        <translation>“评估”页正在移动数据集的文件；请在完成后再训练。</translation>
    </message>
    <message>
        <source>The Train panel is unavailable, so no run can be resumed.</source>
        <translation>“训练”面板不可用，因此无法继续训练运行。</translation>
    </message>
    <message>
        <source>Augment panel: {reason}</source>
        <translation>“数据增强”面板：{reason}</translation>
    </message>
    <message>
        <source>Could not open the dataset {source}: {reason}</source>
        <translation>无法打开数据集 {source}：{reason}</translation>
    </message>
    <message>
        <source>The Predict panel is unavailable, so no model can be loaded.</source>
        <translation>“预测”面板不可用，因此无法载入模型。</translation>
    </message>
    <message>
        <source>Model: {path}</source>
        <translation>模型：{path}</translation>
    </message>
    <message>
        <source>Opened run {folder}</source>
        <translation>已打开运行 {folder}</translation>
    </message>
    <message>
        <source>The Predict panel could not load {file}: {reason}</source>
        <translation>“预测”面板无法载入 {file}：{reason}</translation>
    </message>
    <message>
        <source>The Evaluate panel is unavailable.</source>
        <translation>“评估”面板不可用。</translation>
    </message>
    <message>
        <source>Open dataset folder</source>
        <translation>打开数据集文件夹</translation>
    </message>
    <message>
        <source>Open model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>Model bundles (*.pt);;All files (*)</source>
        <translation>模型包 (*.pt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open run folder</source>
        <translation>打开运行文件夹</translation>
    </message>
    <message>
        <source>Getting started</source>
        <translation>入门</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>About ConvStudio</source>
        <translation>关于 ConvStudio</translation>
    </message>
    <message>
        <source>Open dataset &amp;folder...</source>
        <extracomment>(attribute, text, the window&apos;s method, shortcuts (the first is the one menus show), tip)</extracomment>
        <translation>打开数据集文件夹(&amp;F)...</translation>
    </message>
    <message>
        <source>Train on a folder of images (one sub-folder per class).</source>
        <translation>在一个图像文件夹上训练（每个类别一个子文件夹）。</translation>
    </message>
    <message>
        <source>Open &amp;model...</source>
        <translation>打开模型(&amp;M)...</translation>
    </message>
    <message>
        <source>Load a .pt bundle for prediction.</source>
        <translation>载入 .pt 模型包用于预测。</translation>
    </message>
    <message>
        <source>Open &amp;run folder...</source>
        <translation>打开运行文件夹(&amp;R)...</translation>
    </message>
    <message>
        <source>Show a run&apos;s curves and predict with its best.pt.</source>
        <translation>显示一次运行的曲线，并用它的 best.pt 预测。</translation>
    </message>
    <message>
        <source>Import &amp;weights...</source>
        <translation>导入权重(&amp;W)...</translation>
    </message>
    <message>
        <source>Put pretrained weights into the torch hub cache: import a .pth, or download.</source>
        <translation>把预训练权重放进 torch hub 缓存：导入 .pth 文件，或下载。</translation>
    </message>
    <message>
        <source>&amp;Export model...</source>
        <translation>导出模型(&amp;E)...</translation>
    </message>
    <message>
        <source>Save a model as TorchScript or ONNX (checked), a usage snippet or a training script.</source>
        <translation>把模型保存为 TorchScript 或 ONNX（经过校验）、使用示例代码或训练脚本。</translation>
    </message>
    <message>
        <source>Copy as training &amp;script</source>
        <translation>复制为训练脚本(&amp;S)</translation>
    </message>
    <message>
        <source>Put the last run as a plain PyTorch training script on the clipboard.</source>
        <translation>把最近一次运行作为普通的 PyTorch 训练脚本复制到剪贴板。</translation>
    </message>
    <message>
        <source>Open in &amp;Evaluate...</source>
        <translation>在评估中打开(&amp;E)...</translation>
    </message>
    <message>
        <source>Evaluate a model bundle on a labelled folder: confusion matrix, mistakes, fixes.</source>
        <translation>在带标注的文件夹上评估模型包：混淆矩阵、错误样本、修正。</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Start training</source>
        <translation>开始训练(&amp;S)</translation>
    </message>
    <message>
        <source>Train with the Train tab&apos;s settings.</source>
        <translation>按“训练”页的设置进行训练。</translation>
    </message>
    <message>
        <source>&amp;Pause / resume</source>
        <translation>暂停 / 继续(&amp;P)</translation>
    </message>
    <message>
        <source>S&amp;top training</source>
        <translation>停止训练(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;About ConvStudio</source>
        <translation>关于 ConvStudio(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Getting started</source>
        <translation>入门(&amp;G)</translation>
    </message>
    <message>
        <source>The first steps, in short.</source>
        <translation>简要的入门步骤。</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>Every shortcut of the window.</source>
        <translation>窗口的全部快捷键。</translation>
    </message>
    <message>
        <source>Show &amp;log</source>
        <translation>显示日志(&amp;L)</translation>
    </message>
    <message>
        <source>Errors of background work, with their details.</source>
        <translation>后台任务的错误及其详细信息。</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <extracomment>(menu title, the actions&apos; attributes in order; &quot;&quot; is a separator)</extracomment>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>训练(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;{number} {tab}</source>
        <translation>&amp;{number} {tab}</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Restart ConvStudio now to switch?</source>
        <translation>现在重启 ConvStudio 以切换语言吗？</translation>
    </message>
    <message>
        <source>Restart now</source>
        <translation>立即重启</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>稍后</translation>
    </message>
    <message>
        <source>Drop image files or folders of images.</source>
        <translation>请拖入图像文件或图像文件夹。</translation>
    </message>
    <message>
        <source>Training is running</source>
        <extracomment>False once a shutdown left a worker running (the app then exits without it)</extracomment>
        <translation>正在训练</translation>
    </message>
    <message>
        <source>A training run is in progress. Stop it and quit? The last finished epoch is kept in last.pt.</source>
        <translation>有一个训练运行正在进行。要停止它并退出吗？最后完成的轮次保存在 last.pt 中。</translation>
    </message>
    <message>
        <source>Stopping training and background work (at most {seconds} s)...</source>
        <translation>正在停止训练和后台任务（最多 {seconds} 秒）...</translation>
    </message>
    <message>
        <source>The training run did not stop within {seconds} s; ConvStudio quits without waiting for it.</source>
        <translation>训练运行未能在 {seconds} 秒内停止；ConvStudio 不再等待，直接退出。</translation>
    </message>
    <message>
        <source>Background work (such as a weights download) did not stop within {seconds} s; ConvStudio quits without waiting for it.</source>
        <translation>后台任务（例如权重下载）未能在 {seconds} 秒内停止；ConvStudio 不再等待，直接退出。</translation>
    </message>
    <message>
        <source>PyTorch {version} ready · device {device}</source>
        <translation>PyTorch {version} 已就绪 · 设备 {device}</translation>
    </message>
    <message>
        <source>PyTorch could not be loaded ({reason}); training and prediction are off.</source>
        <translation>无法载入 PyTorch（{reason}）；训练和预测不可用。</translation>
    </message>
</context>
<context>
    <name>MatrixPane</name>
    <message>
        <source>&lt;b&gt;Confusion matrix&lt;/b&gt; (rows true, columns predicted)</source>
        <translation>&lt;b&gt;混淆矩阵&lt;/b&gt;（行为真实类别，列为预测类别）</translation>
    </message>
    <message>
        <source>Row-normalised</source>
        <translation>按行归一化</translation>
    </message>
    <message>
        <source>Show each cell as a share of its true class&apos;s images.</source>
        <translation>把每个单元格显示为占该真实类别图像的比例。</translation>
    </message>
    <message>
        <source>Click a cell to see exactly those images in the gallery.</source>
        <translation>点击单元格，在图库中查看正是这些图像。</translation>
    </message>
</context>
<context>
    <name>ModelBox</name>
    <message>
        <source>float32 (same answers everywhere)</source>
        <translation>float32（处处结果一致）</translation>
    </message>
    <message>
        <source>bfloat16 (faster on CPUs with AVX512-BF16/AMX, may change answers)</source>
        <translation>bfloat16（在支持 AVX512-BF16/AMX 的 CPU 上更快，结果可能变化）</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>数值精度</translation>
    </message>
    <message>
        <source>float32 gives the same answers on every CPU and in exported models. bfloat16 is faster on CPUs with AVX512-BF16 or AMX, slower elsewhere, and may change some answers. Changing it loads the model again.</source>
        <translation>float32 在所有 CPU 上以及导出的模型中结果都一致。bfloat16 在支持 AVX512-BF16 或 AMX 的 CPU 上更快，其他 CPU 上更慢，并且可能改变部分结果。更改后会重新载入模型。</translation>
    </message>
    <message>
        <source>Open model...</source>
        <translation>打开模型...</translation>
    </message>
    <message>
        <source>Load a model bundle (best.pt or last.pt of a run).</source>
        <translation>载入模型包（运行的 best.pt 或 last.pt）。</translation>
    </message>
    <message>
        <source>&lt;i&gt;No model loaded.&lt;/i&gt;</source>
        <translation>&lt;i&gt;没有载入模型。&lt;/i&gt;</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>无</translation>
    </message>
    <message>
        <source>grey</source>
        <translation>灰度</translation>
    </message>
    <message>
        <source>colour</source>
        <translation>彩色</translation>
    </message>
    <message numerus="yes">
        <source>&lt;b&gt;{arch}&lt;/b&gt; &amp;nbsp; %n class(es): {names}&lt;br&gt;input {size} ({channels}) &amp;nbsp; validation accuracy {accuracy} &amp;nbsp; precision {precision}&lt;br&gt;&lt;small&gt;{path}&lt;/small&gt;</source>
        <translation>
            <numerusform>&lt;b&gt;{arch}&lt;/b&gt; &amp;nbsp; %n 个类别：{names}&lt;br&gt;输入 {size}（{channels}）&amp;nbsp; 验证准确率 {accuracy} &amp;nbsp; 数值精度 {precision}&lt;br&gt;&lt;small&gt;{path}&lt;/small&gt;</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>NoteEditor</name>
    <message>
        <source>Select one run to write a note on it.</source>
        <translation>选择一个运行来为它写备注。</translation>
    </message>
    <message>
        <source>What you tried, what you saw... (kept in RUN/notes.txt)</source>
        <translation>你尝试了什么、看到了什么……（保存在 RUN/notes.txt）</translation>
    </message>
    <message>
        <source>Note on {run}</source>
        <translation>{run} 的备注</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
</context>
<context>
    <name>OverlayPlots</name>
    <message>
        <source>Validation accuracy</source>
        <translation>验证准确率</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>Validation loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Training accuracy</source>
        <translation>训练准确率</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>Each run&apos;s colour; a star marks its best epoch.</source>
        <extracomment>matplotlib&apos;s tab10, told apart by most readers; more runs than colours reuse them</extracomment>
        <translation>每个运行的颜色；星号标出它的最佳轮次。</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
</context>
<context>
    <name>Panel</name>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Augment</source>
        <translation>数据增强</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Calculator</source>
        <translation>计算器</translation>
    </message>
    <message>
        <source>Predict</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>运行记录</translation>
    </message>
</context>
<context>
    <name>ParamEditor</name>
    <message>
        <source>Click a step of a pipeline to edit its parameters here.</source>
        <translation>点击流水线中的某一步，在这里编辑它的参数。</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Parameters — {step}</source>
        <translation>参数 — {step}</translation>
    </message>
    <message>
        <source>This step has no parameters.</source>
        <translation>这一步没有参数。</translation>
    </message>
</context>
<context>
    <name>ParamWidget</name>
    <message>
        <source>Valid range: {range}.</source>
        <translation>有效范围：{range}。</translation>
    </message>
    <message>
        <source>Untick to switch it off.</source>
        <translation>取消勾选即可关闭。</translation>
    </message>
    <message>
        <source>On/off</source>
        <translation>开/关</translation>
    </message>
    <message>
        <source>Give height and width separately (otherwise a square).</source>
        <translation>分别给出高和宽（否则为正方形）。</translation>
    </message>
</context>
<context>
    <name>PerClassModel</name>
    <message>
        <source>Class</source>
        <extracomment>the columns, also the keys of the per-class rows (lower-cased); headers show them translated</extracomment>
        <translation>类别</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>精确率</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>召回率</translation>
    </message>
    <message>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <source>Support</source>
        <translation>样本数</translation>
    </message>
</context>
<context>
    <name>PhaseDisplay</name>
    <message>
        <source>0 (no augmentation)</source>
        <extracomment>what the &quot;Augmented views&quot; box shows at 0, so nobody misses that 0 means no augmentation</extracomment>
        <translation>0（不做数据增强）</translation>
    </message>
    <message>
        <source>elapsed {time}</source>
        <translation>已用时 {time}</translation>
    </message>
    <message>
        <source>evaluating best.pt on the validation set...</source>
        <translation>正在验证集上评估 best.pt...</translation>
    </message>
    <message numerus="yes">
        <source>evaluating best.pt on the validation set: {done}/%n image(s)</source>
        <translation>
            <numerusform>正在验证集上评估 best.pt：{done}/%n 张图像</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Evaluated best.pt on %n validation image(s).</source>
        <translation>
            <numerusform>已在 %n 张验证图像上评估 best.pt。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PredictJobs</name>
    <message>
        <source>&apos;{file}&apos; expects {channels}-channel input; only grey (1) or colour (3) models can predict pictures. Retrain with 1 or 3 input channels.</source>
        <translation>“{file}”需要 {channels} 通道的输入；只有灰度（1）或彩色（3）模型才能预测图片。请用 1 或 3 个输入通道重新训练。</translation>
    </message>
    <message>
        <source>&apos;{file}&apos; knows fewer than two classes; train it on at least two classes.</source>
        <translation>“{file}”认识的类别少于两个；请至少用两个类别训练。</translation>
    </message>
    <message>
        <source>&apos;{file}&apos; has duplicate class names; retrain it from a dataset with unique classes.</source>
        <translation>“{file}”有重复的类别名；请用类别名不重复的数据集重新训练。</translation>
    </message>
    <message>
        <source>&apos;{file}&apos; declares {declared} classes but names {named}; the file is inconsistent. Retrain the model or pick another bundle.</source>
        <translation>“{file}”声明了 {declared} 个类别，却列出 {named} 个名称；文件前后不一致。请重新训练模型或换一个模型包。</translation>
    </message>
    <message>
        <source>&apos;{path}&apos; does not exist: pick a best.pt from a run folder.</source>
        <translation>“{path}”不存在：请选择运行文件夹中的 best.pt。</translation>
    </message>
    <message>
        <source>&apos;{path}&apos; is a folder without best.pt: pick a model file.</source>
        <translation>“{path}”是没有 best.pt 的文件夹：请选择一个模型文件。</translation>
    </message>
    <message>
        <source>&apos;{file}&apos; could not be turned into a model ({reason}); pick a bundle saved by ConvStudio (best.pt or last.pt).</source>
        <translation>无法把“{file}”变成模型（{reason}）；请选择 ConvStudio 保存的模型包（best.pt 或 last.pt）。</translation>
    </message>
    <message>
        <source>prediction failed: {reason}</source>
        <translation>预测失败：{reason}</translation>
    </message>
    <message>
        <source>cannot read the file ({reason})</source>
        <translation>无法读取文件（{reason}）</translation>
    </message>
    <message>
        <source>cannot show the image ({reason})</source>
        <translation>无法显示图像（{reason}）</translation>
    </message>
    <message>
        <source>this folder holds no image files</source>
        <translation>这个文件夹里没有图像文件</translation>
    </message>
</context>
<context>
    <name>PredictPanel</name>
    <message>
        <source>The image data is empty or unreadable.</source>
        <translation>图像数据为空或无法读取。</translation>
    </message>
    <message>
        <source>The clipboard is empty: copy an image or image files first.</source>
        <translation>剪贴板是空的：请先复制一张图像或图像文件。</translation>
    </message>
    <message>
        <source>The clipboard holds no image: copy an image or image files first.</source>
        <translation>剪贴板里没有图像：请先复制一张图像或图像文件。</translation>
    </message>
    <message>
        <source>Predict: model {file} loaded ({arch})</source>
        <translation>预测：已载入模型 {file}（{arch}）</translation>
    </message>
    <message>
        <source>Could not load the model: {reason}</source>
        <translation>无法载入模型：{reason}</translation>
    </message>
    <message>
        <source>Load a model first.</source>
        <translation>请先载入模型。</translation>
    </message>
    <message>
        <source>Overlay where the model looked (Grad-CAM on the last convolutional block).</source>
        <translation>叠加显示模型关注的位置（在最后一个卷积块上做 Grad-CAM）。</translation>
    </message>
    <message>
        <source>Grad-CAM needs convolutional layers; the {arch} model has none.</source>
        <translation>Grad-CAM 需要卷积层；{arch} 模型没有卷积层。</translation>
    </message>
    <message>
        <source>Loading the picture ...</source>
        <translation>正在载入图片 ...</translation>
    </message>
    <message>
        <source>Open model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>Model bundles (*.pt *.pth);;All files (*)</source>
        <translation>模型包 (*.pt *.pth);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Images ({patterns});;All files (*)</source>
        <translation>图像 ({patterns});;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open images</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <source>Open a folder of images</source>
        <translation>打开图像文件夹</translation>
    </message>
    <message>
        <source>Nothing to export yet: drop some images first.</source>
        <translation>还没有可导出的内容：请先拖入一些图像。</translation>
    </message>
    <message>
        <source>Export predictions</source>
        <translation>导出预测结果</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
</context>
<context>
    <name>PredictSession</name>
    <message>
        <source>No model loaded yet: train one in the Train tab, or use Open model... to load a best.pt bundle.</source>
        <translation>还没有载入模型：请在“训练”页训练一个，或用“打开模型...”载入 best.pt 模型包。</translation>
    </message>
    <message>
        <source>Loading model &apos;{path}&apos; ...</source>
        <translation>正在载入模型“{path}”...</translation>
    </message>
    <message numerus="yes">
        <source>Model loaded: {arch}, %n class(es). Drop images to classify them.</source>
        <translation>
            <numerusform>模型已载入：{arch}，%n 个类别。拖入图像即可分类。</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not load the model: {reason} The previous model ({file}) is still in use.</source>
        <translation>无法载入模型：{reason} 仍在使用之前的模型（{file}）。</translation>
    </message>
    <message>
        <source>Could not load the model: {reason}</source>
        <translation>无法载入模型：{reason}</translation>
    </message>
    <message numerus="yes">
        <source>{previous} %n dropped item(s) wait for a model.</source>
        <translation>
            <numerusform>{previous} 有 %n 个拖入的项目在等待模型。</numerusform>
        </translation>
    </message>
    <message>
        <source>pasted image {number}</source>
        <translation>粘贴的图像 {number}</translation>
    </message>
    <message>
        <source>The model is still loading; the images follow.</source>
        <translation>模型仍在载入；图像随后处理。</translation>
    </message>
    <message>
        <source>No image files found in what was dropped.</source>
        <translation>拖入的内容中没有找到图像文件。</translation>
    </message>
    <message numerus="yes">
        <source>Predicted {done} of {total} images; %n could not be used (see the Error column).</source>
        <translation>
            <numerusform>预测了 {total} 张图像中的 {done} 张；%n 张无法使用（见“错误”列）。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Predicted %n image(s).</source>
        <translation>
            <numerusform>已预测 %n 张图像。</numerusform>
        </translation>
    </message>
    <message>
        <source>Prediction stopped: {reason}</source>
        <translation>预测中止：{reason}</translation>
    </message>
    <message>
        <source>Cancelled after {done} of {total} images.</source>
        <translation>在 {total} 张图像中处理了 {done} 张后取消。</translation>
    </message>
    <message>
        <source>Nothing to export yet: drop some images first.</source>
        <translation>还没有可导出的内容：请先拖入一些图像。</translation>
    </message>
    <message>
        <source>Could not write &apos;{path}&apos;: {reason}. Choose another place.</source>
        <translation>无法写入“{path}”：{reason}。请换一个位置。</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n row(s) to &apos;{path}&apos;.</source>
        <translation>
            <numerusform>已导出 %n 行到“{path}”。</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot show the picture again: {reason}</source>
        <translation>无法再次显示图片：{reason}</translation>
    </message>
    <message>
        <source>Grad-CAM failed: {reason}</source>
        <translation>Grad-CAM 失败：{reason}</translation>
    </message>
</context>
<context>
    <name>PresetStore</name>
    <message>
        <source>seed</source>
        <extracomment>how the preset box shows the built-in presets (their names stay the CLI&apos;s --augment names)</extracomment>
        <translation>seed</translation>
    </message>
    <message>
        <source>digits</source>
        <translation>digits</translation>
    </message>
    <message>
        <source>none</source>
        <translation>none（不增强）</translation>
    </message>
    <message>
        <source>{name} cannot be a preset name; use letters, digits, - or _.</source>
        <translation>{name} 不能作为预设名称；请使用字母、数字、- 或 _。</translation>
    </message>
</context>
<context>
    <name>PretrainedPicker</name>
    <message>
        <source>None (random init)</source>
        <extracomment>(TrainConfig.pretrained, the picker&apos;s label, translated where shown)</extracomment>
        <translation>无（随机初始化）</translation>
    </message>
    <message>
        <source>ImageNet (torchvision)</source>
        <translation>ImageNet（torchvision）</translation>
    </message>
    <message>
        <source>From a .pth file</source>
        <translation>来自 .pth 文件</translation>
    </message>
    <message>
        <source>path to weights .pth</source>
        <translation>权重 .pth 文件的路径</translation>
    </message>
    <message>
        <source>A .pth file holding a state_dict for this architecture.</source>
        <translation>保存着此架构 state_dict 的 .pth 文件。</translation>
    </message>
    <message>
        <source>Choose the .pth file.</source>
        <translation>选择 .pth 文件。</translation>
    </message>
    <message>
        <source>Pretrained weights</source>
        <translation>预训练权重</translation>
    </message>
    <message>
        <source>Weights (*.pth *.pt)</source>
        <translation>权重 (*.pth *.pt)</translation>
    </message>
</context>
<context>
    <name>PreviewArea</name>
    <message>
        <source>No preview yet.</source>
        <translation>还没有预览。</translation>
    </message>
    <message>
        <source>Drop an image file here to preview it.</source>
        <translation>把图像文件拖到这里即可预览。</translation>
    </message>
</context>
<context>
    <name>PreviewPane</name>
    <message>
        <source>The original image.</source>
        <translation>原始图像。</translation>
    </message>
    <message>
        <source>Image:</source>
        <translation>图像：</translation>
    </message>
    <message>
        <source>Class of the source image.</source>
        <translation>源图像的类别。</translation>
    </message>
    <message>
        <source>Which image of that class.</source>
        <translation>该类别中的第几张图像。</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Pick a random image of the dataset.</source>
        <translation>从数据集中随机选一张图像。</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <source>Preview any image file (or drop one on the preview).</source>
        <translation>预览任意图像文件（或拖到预览区）。</translation>
    </message>
    <message>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>eval</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Which pipeline the preview runs.</source>
        <translation>预览使用哪条流水线。</translation>
    </message>
    <message>
        <source>Number of augmented samples.</source>
        <translation>增强样本的数量。</translation>
    </message>
    <message>
        <source>Same seed, same samples.</source>
        <translation>相同的随机种子，相同的样本。</translation>
    </message>
    <message>
        <source>Re-roll</source>
        <translation>重新抽样</translation>
    </message>
    <message>
        <source>Draw new random samples (new seed).</source>
        <translation>抽取新的随机样本（新随机种子）。</translation>
    </message>
    <message>
        <source>Per class</source>
        <translation>每类一张</translation>
    </message>
    <message>
        <source>One augmented sample of each class.</source>
        <translation>每个类别一张增强样本。</translation>
    </message>
    <message>
        <source>As a person sees it</source>
        <translation>人眼看到的</translation>
    </message>
    <message>
        <source>What the model sees</source>
        <translation>模型看到的</translation>
    </message>
    <message>
        <source>What the model sees: the final tensor at the model&apos;s input size and channels, un-normalized for display, pixel for pixel.</source>
        <translation>模型看到的：按模型输入尺寸和通道数得到的最终张量，为显示而还原标准化，逐像素呈现。</translation>
    </message>
    <message>
        <source>Pipeline:</source>
        <translation>流水线：</translation>
    </message>
    <message>
        <source>N:</source>
        <translation>数量：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
</context>
<context>
    <name>ResultView</name>
    <message>
        <source>cannot predict</source>
        <translation>无法预测</translation>
    </message>
    <message>
        <source>uncertain: top probability below {threshold} %</source>
        <translation>不确定：最高概率低于 {threshold} %</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>{mark} Unlike the training data: {reasons}.</source>
        <translation>{mark} 与训练数据不同：{reasons}。</translation>
    </message>
</context>
<context>
    <name>ResultsFilter</name>
    <message>
        <source>All images</source>
        <extracomment>the filter&apos;s own choices (keys; the filter box shows :func:`filter_label` of them)</extracomment>
        <translation>全部图像</translation>
    </message>
    <message>
        <source>Uncertain only</source>
        <translation>只看不确定的</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>只看出错的</translation>
    </message>
</context>
<context>
    <name>ResultsModel</name>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Top-1</source>
        <translation>Top-1</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>Top-5</source>
        <translation>Top-5</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
</context>
<context>
    <name>ResultsPane</name>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Show only images predicted as one class.</source>
        <translation>只显示被预测为某一类别的图像。</translation>
    </message>
    <message>
        <source>Export CSV...</source>
        <translation>导出 CSV...</translation>
    </message>
    <message>
        <source>Write one row per image: path,top1,prob,top2,prob2,...</source>
        <translation>每张图像写一行：path,top1,prob,top2,prob2,...</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>%v / %m images</source>
        <translation>%v / %m 张图像</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>RunControls</name>
    <message>
        <source>Start training</source>
        <translation>开始训练</translation>
    </message>
    <message>
        <source>Train with these settings (Ctrl+T / F5).</source>
        <translation>用这些设置训练（Ctrl+T / F5）。</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Pause between batches; press again to resume.</source>
        <translation>在批次之间暂停；再按一次继续。</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop after the current batch; last.pt is still written (Esc).</source>
        <translation>在当前批次之后停止；仍会写入 last.pt（Esc）。</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Ready.</source>
        <translation>就绪。</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>epoch {epoch}/{epochs} · batch {step}/{steps}</source>
        <translation>轮次 {epoch}/{epochs} · 批次 {step}/{steps}</translation>
    </message>
    <message>
        <source>elapsed {elapsed} · ETA {eta} · {speed} images/s · paused</source>
        <translation>已用时 {elapsed} · 预计剩余 {eta} · 每秒 {speed} 张图像 · 已暂停</translation>
    </message>
    <message>
        <source>elapsed {elapsed} · ETA {eta} · {speed} images/s</source>
        <translation>已用时 {elapsed} · 预计剩余 {eta} · 每秒 {speed} 张图像</translation>
    </message>
</context>
<context>
    <name>RunsPanel</name>
    <message>
        <source>Filter: name, data, model, status, note...</source>
        <translation>筛选：名称、数据、模型、状态、备注...</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the run folders again.</source>
        <translation>重新读取运行文件夹。</translation>
    </message>
    <message>
        <source>Folders</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Open in Predict</source>
        <translation>在预测中打开</translation>
    </message>
    <message>
        <source>Classify images with the run&apos;s best.pt.</source>
        <translation>用该运行的 best.pt 对图像分类。</translation>
    </message>
    <message>
        <source>Open in Evaluate</source>
        <translation>在评估中打开</translation>
    </message>
    <message>
        <source>Evaluate the run&apos;s best.pt on labelled data.</source>
        <translation>在带标注的数据上评估该运行的 best.pt。</translation>
    </message>
    <message>
        <source>Resume...</source>
        <translation>继续训练...</translation>
    </message>
    <message>
        <source>Continue training the run from its last.pt.</source>
        <translation>从该运行的 last.pt 继续训练。</translation>
    </message>
    <message>
        <source>Show folder</source>
        <translation>显示文件夹</translation>
    </message>
    <message>
        <source>Open the run folder in the file manager.</source>
        <translation>在文件管理器中打开运行文件夹。</translation>
    </message>
    <message>
        <source>Rename...</source>
        <translation>重命名...</translation>
    </message>
    <message>
        <source>Rename the run folder.</source>
        <translation>重命名运行文件夹。</translation>
    </message>
    <message>
        <source>Move to trash...</source>
        <translation>移到回收站...</translation>
    </message>
    <message>
        <source>Move the selected run folders to the system trash.</source>
        <translation>把所选运行文件夹移到系统回收站。</translation>
    </message>
    <message>
        <source>Select runs (Ctrl- or Shift-click for several) to overlay their curves.</source>
        <translation>选择运行（按住 Ctrl 或 Shift 点击可多选），叠加显示它们的曲线。</translation>
    </message>
    <message>
        <source>Differences</source>
        <translation>差异</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Add folder...</source>
        <translation>添加文件夹...</translation>
    </message>
    <message>
        <source>Listing {folder}</source>
        <translation>正在列出 {folder}</translation>
    </message>
    <message>
        <source>Stop listing {folder}</source>
        <translation>不再列出 {folder}</translation>
    </message>
    <message>
        <source>Add a folder of runs</source>
        <translation>添加运行文件夹所在的文件夹</translation>
    </message>
    <message>
        <source>Could not read the runs: {reason}</source>
        <translation>无法读取运行记录：{reason}</translation>
    </message>
    <message numerus="yes">
        <source>%n run(s)</source>
        <translation>
            <numerusform>%n 个运行</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n running</source>
        <translation>
            <numerusform>%n 个运行中</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n shown</source>
        <translation>
            <numerusform>显示 %n 个</numerusform>
        </translation>
    </message>
    <message>
        <source>Listing: {folders}</source>
        <translation>列出的文件夹：{folders}</translation>
    </message>
    <message>
        <source>Resume run</source>
        <translation>继续训练运行</translation>
    </message>
    <message>
        <source>{run} has done {done} of {planned} epochs.
Train until epoch:</source>
        <translation>{run} 已完成 {planned} 个轮次中的 {done} 个。
训练到第几轮：</translation>
    </message>
    <message>
        <source>Rename run</source>
        <translation>重命名运行</translation>
    </message>
    <message>
        <source>New name for {run}:</source>
        <translation>{run} 的新名称：</translation>
    </message>
    <message>
        <source>Could not rename {run}: {reason}</source>
        <translation>无法重命名 {run}：{reason}</translation>
    </message>
    <message>
        <source>Renamed to {name}</source>
        <translation>已重命名为 {name}</translation>
    </message>
    <message>
        <source>Move to trash</source>
        <translation>移到回收站</translation>
    </message>
    <message numerus="yes">
        <source>Move %n run folder(s) to the trash?

{names}

You can restore them from the system trash.</source>
        <translation>
            <numerusform>把 %n 个运行文件夹移到回收站？

{names}

可以从系统回收站恢复。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Moved %n run folder(s) to the trash.</source>
        <translation>
            <numerusform>已把 %n 个运行文件夹移到回收站。</numerusform>
        </translation>
    </message>
    <message>
        <source>Not saved: {reason}</source>
        <translation>未保存：{reason}</translation>
    </message>
    <message>
        <source>Could not save the note: {reason}</source>
        <translation>无法保存备注：{reason}</translation>
    </message>
</context>
<context>
    <name>RunsSession</name>
    <message>
        <source>{name} is not a folder name; use letters, digits, - or _.</source>
        <translation>{name} 不是有效的文件夹名；请使用字母、数字、- 或 _。</translation>
    </message>
    <message>
        <source>{path} already exists; choose another name.</source>
        <translation>{path} 已存在；请换一个名称。</translation>
    </message>
    <message>
        <source>{run} is still training; it can be renamed once it ends.</source>
        <translation>{run} 仍在训练；结束后才能重命名。</translation>
    </message>
    <message>
        <source>{run} is still training; it can be moved to the trash once it ends.</source>
        <translation>{run} 仍在训练；结束后才能移到回收站。</translation>
    </message>
    <message>
        <source>{path} could not be moved to the trash (no trash on that drive, or no permission); delete it in your file manager.</source>
        <translation>无法把 {path} 移到回收站（该磁盘没有回收站，或没有权限）；请在文件管理器中删除。</translation>
    </message>
</context>
<context>
    <name>RunsTableModel</name>
    <message>
        <source>The run folder&apos;s name (Rename... changes it).</source>
        <translation>运行文件夹的名称（用“重命名...”修改）。</translation>
    </message>
    <message>
        <source>When the run (or its last resume) started.</source>
        <translation>运行（或最近一次继续训练）开始的时间。</translation>
    </message>
    <message>
        <source>Epochs done / planned.</source>
        <translation>已完成 / 计划的轮次。</translation>
    </message>
    <message>
        <source>Validation accuracy of the best epoch (by the run&apos;s best-model metric).</source>
        <translation>最佳轮次的验证准确率（按该运行选择最佳模型的指标）。</translation>
    </message>
    <message>
        <source>Training throughput over the whole run.</source>
        <translation>整个运行的训练吞吐量。</translation>
    </message>
    <message>
        <source>Wall time of the run.</source>
        <translation>运行的实际用时。</translation>
    </message>
    <message>
        <source>running, finished, stopped, failed, incomplete (half-written) or not a run.</source>
        <translation>运行中、已完成、已停止、失败、不完整（写了一半）或不是运行。</translation>
    </message>
    <message>
        <source>Your note on the run (double-click to edit; kept in RUN/notes.txt).</source>
        <translation>你对该运行的备注（双击编辑；保存在 RUN/notes.txt）。</translation>
    </message>
    <message>
        <source>running</source>
        <extracomment>core.runs.STATUSES as the table shows them (the filter matches these texts)</extracomment>
        <translation>运行中</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>incomplete</source>
        <translation>不完整</translation>
    </message>
    <message>
        <source>not a run</source>
        <translation>不是运行</translation>
    </message>
    <message>
        <source>{status} (early stop)</source>
        <translation>{status}（提前停止）</translation>
    </message>
    <message>
        <source>Stopped early after epoch {epoch} (no improvement).</source>
        <translation>在第 {epoch} 轮后提前停止（没有改进）。</translation>
    </message>
    <message>
        <source>Best model by {metric}.</source>
        <translation>按 {metric} 选择最佳模型。</translation>
    </message>
</context>
<context>
    <name>ScriptCopier</name>
    <message>
        <source>No run to copy yet: train a model or open one (File &gt; Open model).</source>
        <translation>还没有可复制的运行：请训练一个模型或打开一个（文件 &gt; 打开模型）。</translation>
    </message>
    <message>
        <source>Making the training script of {bundle}...</source>
        <translation>正在生成 {bundle} 的训练脚本...</translation>
    </message>
    <message numerus="yes">
        <source>Copied the training script of {bundle} (%n line(s)) to the clipboard.</source>
        <translation>
            <numerusform>已把 {bundle} 的训练脚本（%n 行）复制到剪贴板。</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not make the training script: {reason}</source>
        <translation>无法生成训练脚本：{reason}</translation>
    </message>
</context>
<context>
    <name>SettingsColumn</name>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>The dataset chosen in the Data tab.</source>
        <translation>在“数据”页选择的数据集。</translation>
    </message>
    <message>
        <source>{setting}:</source>
        <translation>{setting}：</translation>
    </message>
    <message>
        <source>Parameters: (loading PyTorch...)</source>
        <translation>参数：（正在载入 PyTorch...）</translation>
    </message>
    <message>
        <source>Trainable / total parameters of the chosen model.</source>
        <translation>所选模型的可训练参数 / 全部参数。</translation>
    </message>
    <message>
        <source>Hyperparameters</source>
        <translation>超参数</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Each run gets its own folder here (config, metrics, best.pt, last.pt).</source>
        <translation>每次运行在这里有自己的文件夹（配置、指标、best.pt、last.pt）。</translation>
    </message>
    <message>
        <source>Choose the folder for training runs.</source>
        <translation>选择存放训练运行的文件夹。</translation>
    </message>
    <message>
        <source>Folder for training runs</source>
        <translation>存放训练运行的文件夹</translation>
    </message>
</context>
<context>
    <name>SettingsForm</name>
    <message>
        <source>{setting}:</source>
        <translation>{setting}：</translation>
    </message>
</context>
<context>
    <name>SingleLayerTab</name>
    <message>
        <source>input height H in pixels</source>
        <translation>输入高度 H（像素）</translation>
    </message>
    <message>
        <source>input width W in pixels</source>
        <translation>输入宽度 W（像素）</translation>
    </message>
    <message>
        <source>input channels C_in (3 for RGB, 1 for grayscale)</source>
        <translation>输入通道数 C_in（RGB 为 3，灰度为 1）</translation>
    </message>
    <message>
        <source>kernel size F (square F x F)</source>
        <translation>卷积核尺寸 F（正方形 F x F）</translation>
    </message>
    <message>
        <source>stride S: how many pixels the kernel moves per step</source>
        <translation>步长 S：卷积核每次移动的像素数</translation>
    </message>
    <message>
        <source>zero padding P added on every side</source>
        <translation>每条边补零的填充 P</translation>
    </message>
    <message>
        <source>dilation D: gaps between kernel taps (1 = none)</source>
        <translation>膨胀率 D：卷积核各点之间的间隔（1 = 无间隔）</translation>
    </message>
    <message>
        <source>number of kernels K = output channels</source>
        <translation>卷积核个数 K = 输出通道数</translation>
    </message>
    <message>
        <source>kernel F</source>
        <translation>卷积核 F</translation>
    </message>
    <message>
        <source>stride S</source>
        <translation>步长 S</translation>
    </message>
    <message>
        <source>padding P</source>
        <translation>填充 P</translation>
    </message>
    <message>
        <source>dilation D</source>
        <translation>膨胀率 D</translation>
    </message>
    <message>
        <source>kernels K</source>
        <translation>卷积核个数 K</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>output &lt; 1</source>
        <translation>输出 &lt; 1</translation>
    </message>
    <message>
        <source>Error: {message}</source>
        <translation>错误：{message}</translation>
    </message>
    <message>
        <source>parameters: {params}  = K*C_in*F*F + K = {k}*{c}*{f}*{f} + {k} = {weights} + {k}</source>
        <translation>参数量：{params}  = K*C_in*F*F + K = {k}*{c}*{f}*{f} + {k} = {weights} + {k}</translation>
    </message>
    <message>
        <source>Warning: {message}</source>
        <translation>警告：{message}</translation>
    </message>
    <message>
        <source>output ({row}, {col}) sees padded input rows {top}..{bottom}, columns {left}..{right} (hover the output grid)</source>
        <translation>输出 ({row}, {col}) 看到填充后输入的第 {top}..{bottom} 行、第 {left}..{right} 列（鼠标悬停在输出网格上）</translation>
    </message>
</context>
<context>
    <name>SourceBar</name>
    <message>
        <source>validation split</source>
        <translation>验证集</translation>
    </message>
    <message>
        <source>training split</source>
        <translation>训练集</translation>
    </message>
    <message>
        <source>all images</source>
        <translation>全部图像</translation>
    </message>
    <message>
        <source>Model and data</source>
        <translation>模型与数据</translation>
    </message>
    <message>
        <source>Open model...</source>
        <translation>打开模型...</translation>
    </message>
    <message>
        <source>Evaluate another bundle (best.pt or last.pt).</source>
        <translation>评估另一个模型包（best.pt 或 last.pt）。</translation>
    </message>
    <message>
        <source>Open data...</source>
        <translation>打开数据...</translation>
    </message>
    <message>
        <source>A labelled folder: one sub-folder per class (or train/ and valid/ holding them).</source>
        <translation>带标注的文件夹：每个类别一个子文件夹（或由 train/ 和 valid/ 分别包含它们）。</translation>
    </message>
    <message>
        <source>Which images: the validation split (not trained on), the training split, or all. A folder without train/ and valid/ that the model was not trained on is taken whole.</source>
        <translation>用哪些图像：验证集（未参与训练）、训练集，或全部。没有 train/ 和 valid/、且模型没在上面训练过的文件夹会整体使用。</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>%v / %m files moved</source>
        <translation>已移动 %v / %m 个文件</translation>
    </message>
    <message>
        <source>%v / %m images</source>
        <translation>%v / %m 张图像</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>&lt;i&gt;no model yet&lt;/i&gt;</source>
        <translation>&lt;i&gt;还没有模型&lt;/i&gt;</translation>
    </message>
    <message>
        <source>&lt;i&gt;the data the model was trained on&lt;/i&gt;</source>
        <translation>&lt;i&gt;模型训练时用的数据&lt;/i&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Model&lt;/b&gt; {model}&lt;br&gt;&lt;b&gt;Data&lt;/b&gt; {data} ({split})</source>
        <translation>&lt;b&gt;模型&lt;/b&gt; {model}&lt;br&gt;&lt;b&gt;数据&lt;/b&gt; {data}（{split}）</translation>
    </message>
</context>
<context>
    <name>ThumbnailStrip</name>
    <message>
        <source>Sample images of each class appear here.</source>
        <translation>这里会显示每个类别的样例图像。</translation>
    </message>
    <message>
        <source>(no readable image)</source>
        <translation>（没有可读的图像）</translation>
    </message>
    <message numerus="yes">
        <source>... and %n more class(es)</source>
        <translation>
            <numerusform>... 另有 %n 个类别</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrainPanel</name>
    <message>
        <source>Loading plots...</source>
        <translation>正在载入图表...</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Parameters: counting...</source>
        <translation>参数：正在统计...</translation>
    </message>
    <message>
        <source>Parameters: {total:,}, all trainable</source>
        <translation>参数：{total:,}，全部可训练</translation>
    </message>
    <message>
        <source>Parameters: {trainable:,} of {total:,} trainable</source>
        <translation>参数：{total:,} 个中有 {trainable:,} 个可训练</translation>
    </message>
    <message>
        <source>Trainable / total parameters of the chosen model.</source>
        <translation>所选模型的可训练参数 / 全部参数。</translation>
    </message>
    <message>
        <source>Parameters: unavailable</source>
        <translation>参数：无法统计</translation>
    </message>
    <message>
        <source>PyTorch is still loading; press Start again in a moment.</source>
        <translation>PyTorch 仍在载入；请稍后再按“开始训练”。</translation>
    </message>
    <message>
        <source>Cannot start training: {reason}</source>
        <translation>无法开始训练：{reason}</translation>
    </message>
    <message>
        <source>Resume needs PyTorch loaded and no other run training.</source>
        <translation>继续训练需要 PyTorch 已载入，且没有其他运行正在训练。</translation>
    </message>
    <message>
        <source>Cannot resume {run}: {reason}</source>
        <translation>无法继续训练 {run}：{reason}</translation>
    </message>
    <message>
        <source>Starting {arch} on {data} -&gt; {folder}</source>
        <translation>开始在 {data} 上训练 {arch} -&gt; {folder}</translation>
    </message>
    <message>
        <source>Stopping after the current batch...</source>
        <translation>将在当前批次之后停止...</translation>
    </message>
    <message>
        <source>Could not read the earlier epochs: {reason}</source>
        <translation>无法读取之前的轮次：{reason}</translation>
    </message>
    <message>
        <source>Paused.</source>
        <translation>已暂停。</translation>
    </message>
    <message>
        <source>Resumed.</source>
        <translation>已继续。</translation>
    </message>
    <message>
        <source>Training failed: {reason}</source>
        <translation>训练失败：{reason}</translation>
    </message>
    <message numerus="yes">
        <source>Loaded %n epoch(s) from {folder}</source>
        <translation>
            <numerusform>已从 {folder} 载入 %n 个轮次</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrainReport</name>
    <message numerus="yes">
        <source>{arch}: {trainable:,} trainable / {total:,} parameters; {classes} classes; {train:,} training / {valid:,} validation images; %n batch(es) per epoch; device {device}, {precision}.</source>
        <translation>
            <numerusform>{arch}：{trainable:,} 个可训练 / 共 {total:,} 个参数；{classes} 个类别；{train:,} 张训练图像 / {valid:,} 张验证图像；每轮次 %n 个批次；设备 {device}，{precision}。</numerusform>
        </translation>
    </message>
    <message>
        <source>epoch {epoch}/{epochs}: train loss {train_loss:.4f} acc {train_acc:.4f} | val loss {val_loss:.4f} acc {val_acc:.4f} (best) | {seconds:.1f}s</source>
        <translation>轮次 {epoch}/{epochs}：训练损失 {train_loss:.4f} 准确率 {train_acc:.4f} | 验证损失 {val_loss:.4f} 准确率 {val_acc:.4f}（最佳）| {seconds:.1f} 秒</translation>
    </message>
    <message>
        <source>epoch {epoch}/{epochs}: train loss {train_loss:.4f} acc {train_acc:.4f} | val loss {val_loss:.4f} acc {val_acc:.4f} | {seconds:.1f}s</source>
        <translation>轮次 {epoch}/{epochs}：训练损失 {train_loss:.4f} 准确率 {train_acc:.4f} | 验证损失 {val_loss:.4f} 准确率 {val_acc:.4f} | {seconds:.1f} 秒</translation>
    </message>
    <message numerus="yes">
        <source>%n unreadable image(s) skipped: {example}</source>
        <translation>
            <numerusform>跳过了 %n 张无法读取的图像：{example}</numerusform>
        </translation>
    </message>
    <message>
        <source>saved {file} (epoch {epoch})</source>
        <translation>已保存 {file}（轮次 {epoch}）</translation>
    </message>
    <message>
        <source>saved {file} (epoch {epoch}, val acc {acc:.4f})</source>
        <translation>已保存 {file}（轮次 {epoch}，验证准确率 {acc:.4f}）</translation>
    </message>
    <message>
        <source>Training stopped after {time}: no best val acc yet.</source>
        <translation>训练在 {time} 后停止：还没有最佳验证准确率。</translation>
    </message>
    <message>
        <source>Training finished after {time}: no best val acc.</source>
        <translation>训练在 {time} 后完成：没有最佳验证准确率。</translation>
    </message>
    <message>
        <source>Training stopped after {time}: best val acc {best:.4f} (epoch {epoch}).</source>
        <translation>训练在 {time} 后停止：最佳验证准确率 {best:.4f}（轮次 {epoch}）。</translation>
    </message>
    <message>
        <source>Training finished after {time}: best val acc {best:.4f} (epoch {epoch}).</source>
        <translation>训练在 {time} 后完成：最佳验证准确率 {best:.4f}（轮次 {epoch}）。</translation>
    </message>
    <message>
        <source>Training stopped early at epoch {stopped_at}/{planned} (no validation improvement) after {time}.</source>
        <translation>训练在轮次 {stopped_at}/{planned} 提前停止（验证集上没有改进），用时 {time}。</translation>
    </message>
    <message>
        <source>Training stopped early at epoch {stopped_at}/{planned} (no validation improvement) after {time} · best val acc {best:.4f} at epoch {epoch} · its best.pt is loaded in the Predict tab.</source>
        <translation>训练在轮次 {stopped_at}/{planned} 提前停止（验证集上没有改进），用时 {time} · 最佳验证准确率 {best:.4f}，在轮次 {epoch} · 它的 best.pt 已载入“预测”页。</translation>
    </message>
    <message>
        <source>Training finished after {time}.</source>
        <translation>训练完成，用时 {time}。</translation>
    </message>
    <message>
        <source>Training finished after {time} · best val acc {best:.4f} at epoch {epoch} · its best.pt is loaded in the Predict tab.</source>
        <translation>训练完成，用时 {time} · 最佳验证准确率 {best:.4f}，在轮次 {epoch} · 它的 best.pt 已载入“预测”页。</translation>
    </message>
    <message>
        <source>nothing was saved.</source>
        <translation>没有保存任何文件。</translation>
    </message>
    <message>
        <source>kept {first} and {second} in {folder}.</source>
        <translation>在 {folder} 中保留了 {first} 和 {second}。</translation>
    </message>
    <message>
        <source>kept {first} and {second}.</source>
        <translation>保留了 {first} 和 {second}。</translation>
    </message>
    <message>
        <source>kept {file} in {folder}.</source>
        <translation>在 {folder} 中保留了 {file}。</translation>
    </message>
    <message>
        <source>kept {file}.</source>
        <translation>保留了 {file}。</translation>
    </message>
    <message>
        <source>Training stopped during epoch {epoch}/{planned} after {time}</source>
        <translation>训练在轮次 {epoch}/{planned} 中途停止，用时 {time}</translation>
    </message>
    <message>
        <source>Training stopped during epoch {epoch} after {time}</source>
        <translation>训练在轮次 {epoch} 中途停止，用时 {time}</translation>
    </message>
    <message>
        <source>Training stopped at the end of epoch {done}/{planned} after {time}</source>
        <translation>训练在轮次 {done}/{planned} 结束时停止，用时 {time}</translation>
    </message>
    <message>
        <source>Training stopped at the end of epoch {done} after {time}</source>
        <translation>训练在轮次 {done} 结束时停止，用时 {time}</translation>
    </message>
    <message>
        <source>no epoch finished, so there is no best.pt</source>
        <translation>没有完成任何轮次，所以没有 best.pt</translation>
    </message>
    <message>
        <source>best.pt (epoch {epoch}, loaded in the Predict tab)</source>
        <translation>best.pt（轮次 {epoch}，已载入“预测”页）</translation>
    </message>
    <message>
        <source>best.pt (epoch {epoch}, val acc {acc:.4f}, loaded in the Predict tab)</source>
        <translation>best.pt（轮次 {epoch}，验证准确率 {acc:.4f}，已载入“预测”页）</translation>
    </message>
    <message>
        <source>last.pt (resumes at epoch {epoch})</source>
        <translation>last.pt（从轮次 {epoch} 继续训练）</translation>
    </message>
</context>
<context>
    <name>WarningsBox</name>
    <message>
        <source>Warnings</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Skipped files:</source>
        <translation>跳过的文件：</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>No problems found.</source>
        <translation>没有发现问题。</translation>
    </message>
    <message>
        <source>Skipped files ({count}):</source>
        <translation>跳过的文件（{count}）：</translation>
    </message>
</context>
<context>
    <name>WeightsDialog</name>
    <message>
        <source>{arch} has no ImageNet weights (train it from scratch).</source>
        <translation>{arch} 没有 ImageNet 预训练权重（请从头训练）。</translation>
    </message>
    <message>
        <source>In the cache: {path} ({size} MB).</source>
        <translation>已在缓存中：{path}（{size} MB）。</translation>
    </message>
    <message>
        <source>Not in the cache: {file} belongs in {folder}.</source>
        <translation>不在缓存中：{file} 应放在 {folder}。</translation>
    </message>
    <message>
        <source>Pretrained weights</source>
        <translation>预训练权重</translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation>网络结构：</translation>
    </message>
    <message>
        <source>Import .pth...</source>
        <translation>导入 .pth...</translation>
    </message>
    <message>
        <source>Copy a weights file into the cache under the name torchvision expects, after checking that it loads into this architecture.</source>
        <translation>先检查权重文件能否载入这个网络结构，再以 torchvision 期望的文件名复制到缓存中。</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Download torchvision&apos;s ImageNet weights (needs internet).</source>
        <translation>下载 torchvision 的 ImageNet 预训练权重（需要联网）。</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <source>Weights for {arch}</source>
        <translation>{arch} 的权重</translation>
    </message>
    <message>
        <source>PyTorch weights (*.pth *.pt);;All files (*)</source>
        <translation>PyTorch 权重 (*.pth *.pt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Checking {file} against {arch}...</source>
        <translation>正在检查 {file} 是否适用于 {arch}...</translation>
    </message>
    <message>
        <source>Downloading the ImageNet weights of {arch}...</source>
        <translation>正在下载 {arch} 的 ImageNet 预训练权重...</translation>
    </message>
    <message>
        <source>{done} / {total} MB</source>
        <translation>{done} / {total} MB</translation>
    </message>
    <message>
        <source>{done} MB</source>
        <translation>{done} MB</translation>
    </message>
    <message>
        <source>Saved {path}; training with ImageNet weights uses it.</source>
        <translation>已保存 {path}；使用 ImageNet 权重训练时会用到它。</translation>
    </message>
    <message>
        <source>Download cancelled; nothing was kept.</source>
        <translation>下载已取消；没有保留任何文件。</translation>
    </message>
</context>
</TS>
