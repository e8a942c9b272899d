<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ConfusionModel</name>
    <message numerus="yes">
        <source>true {true}, predicted {predicted}: %n image(s) ({share} of the {total} &apos;{true}&apos; images). Click to see them.</source>
        <translation>
            <numerusform>true {true}, predicted {predicted}: %n image ({share} of the {total} &apos;{true}&apos; images). Click to see them.</numerusform>
            <numerusform>true {true}, predicted {predicted}: %n images ({share} of the {total} &apos;{true}&apos; images). Click to see them.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DataFixes</name>
    <message numerus="yes">
        <source>Move %n file(s) into the class folder &apos;{where}&apos; of the dataset?</source>
        <translation>
            <numerusform>Move %n file into the class folder &apos;{where}&apos; of the dataset?</numerusform>
            <numerusform>Move %n files into the class folder &apos;{where}&apos; of the dataset?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Move %n file(s) out of the classes, into the dataset&apos;s _set_aside/ folder?</source>
        <translation>
            <numerusform>Move %n file out of the classes, into the dataset&apos;s _set_aside/ folder?</numerusform>
            <numerusform>Move %n files out of the classes, into the dataset&apos;s _set_aside/ folder?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DataView</name>
    <message numerus="yes">
        <source>%n class(es)</source>
        <translation>
            <numerusform>%n class</numerusform>
            <numerusform>%n classes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message numerus="yes">
        <source>%n change(s) this session; Undo goes back one at a time.</source>
        <translation>
            <numerusform>%n change this session; Undo goes back one at a time.</numerusform>
            <numerusform>%n changes this session; Undo goes back one at a time.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DiffView</name>
    <message numerus="yes">
        <source>Settings that differ between %n run(s).</source>
        <translation>
            <numerusform>Settings that differ between %n run.</numerusform>
            <numerusform>Settings that differ between %n runs.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EvaluatePanel</name>
    <message numerus="yes">
        <source>Evaluate: %n image(s), accuracy {accuracy}</source>
        <translation>
            <numerusform>Evaluate: %n image, accuracy {accuracy}</numerusform>
            <numerusform>Evaluate: %n images, accuracy {accuracy}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EvaluateSession</name>
    <message numerus="yes">
        <source>Setting %n file(s) aside ...</source>
        <translation>
            <numerusform>Setting %n file aside ...</numerusform>
            <numerusform>Setting %n files aside ...</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Moving %n file(s) to &apos;{name}&apos; ...</source>
        <translation>
            <numerusform>Moving %n file to &apos;{name}&apos; ...</numerusform>
            <numerusform>Moving %n files to &apos;{name}&apos; ...</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Putting %n file(s) back ...</source>
        <translation>
            <numerusform>Putting %n file back ...</numerusform>
            <numerusform>Putting %n files back ...</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) set aside. {problems}</source>
        <translation>
            <numerusform>%n file set aside. {problems}</numerusform>
            <numerusform>%n files set aside. {problems}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) moved to &apos;{name}&apos;. {problems}</source>
        <translation>
            <numerusform>%n file moved to &apos;{name}&apos;. {problems}</numerusform>
            <numerusform>%n files moved to &apos;{name}&apos;. {problems}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) set aside; logged in {log}. Undo puts them back.</source>
        <translation>
            <numerusform>%n file set aside; logged in {log}. Undo puts them back.</numerusform>
            <numerusform>%n files set aside; logged in {log}. Undo puts them back.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) moved to &apos;{name}&apos;; logged in {log}. Undo puts them back.</source>
        <translation>
            <numerusform>%n file moved to &apos;{name}&apos;; logged in {log}. Undo puts them back.</numerusform>
            <numerusform>%n files moved to &apos;{name}&apos;; logged in {log}. Undo puts them back.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Stopped: %n file(s) were not put back.</source>
        <translation>
            <numerusform>Stopped: %n file were not put back.</numerusform>
            <numerusform>Stopped: %n files were not put back.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) put back. {problems}</source>
        <translation>
            <numerusform>%n file put back. {problems}</numerusform>
            <numerusform>%n files put back. {problems}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Undone: %n file(s) are back where they were.</source>
        <translation>
            <numerusform>Undone: %n file are back where they were.</numerusform>
            <numerusform>Undone: %n files are back where they were.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Stopped: %n file(s) were not moved.</source>
        <translation>
            <numerusform>Stopped: %n file were not moved.</numerusform>
            <numerusform>Stopped: %n files were not moved.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EvaluationSummary</name>
    <message numerus="yes">
        <source>&lt;b&gt;Accuracy {accuracy}&lt;/b&gt; on %n image(s) ({wrong} wrong) &amp;nbsp;·&amp;nbsp; top-{k} {topk} &amp;nbsp;·&amp;nbsp; macro F1 {f1} &amp;nbsp;·&amp;nbsp; {calibration}</source>
        <translation>
            <numerusform>&lt;b&gt;Accuracy {accuracy}&lt;/b&gt; on %n image ({wrong} wrong) &amp;nbsp;·&amp;nbsp; top-{k} {topk} &amp;nbsp;·&amp;nbsp; macro F1 {f1} &amp;nbsp;·&amp;nbsp; {calibration}</numerusform>
            <numerusform>&lt;b&gt;Accuracy {accuracy}&lt;/b&gt; on %n images ({wrong} wrong) &amp;nbsp;·&amp;nbsp; top-{k} {topk} &amp;nbsp;·&amp;nbsp; macro F1 {f1} &amp;nbsp;·&amp;nbsp; {calibration}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) could not be read (hover for why).</source>
        <translation>
            <numerusform>%n file could not be read (hover for why).</numerusform>
            <numerusform>%n files could not be read (hover for why).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FromModelTab</name>
    <message numerus="yes">
        <source>{arch} on {shape}: %n layer call(s) (the forward pass stopped at the last one); the model has {params} parameters</source>
        <translation>
            <numerusform>{arch} on {shape}: %n layer call (the forward pass stopped at the last one); the model has {params} parameters</numerusform>
            <numerusform>{arch} on {shape}: %n layer calls (the forward pass stopped at the last one); the model has {params} parameters</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{arch} on {shape}: %n layer call(s); the model has {params} parameters</source>
        <translation>
            <numerusform>{arch} on {shape}: %n layer call; the model has {params} parameters</numerusform>
            <numerusform>{arch} on {shape}: %n layer calls; the model has {params} parameters</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LRFindDialog</name>
    <message numerus="yes">
        <source>%n learning rate(s) from {low:.2g} to {high:.2g} (stopped there: the loss diverged).</source>
        <translation>
            <numerusform>%n learning rate from {low:.2g} to {high:.2g} (stopped there: the loss diverged).</numerusform>
            <numerusform>%n learning rates from {low:.2g} to {high:.2g} (stopped there: the loss diverged).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n learning rate(s) from {low:.2g} to {high:.2g}.</source>
        <translation>
            <numerusform>%n learning rate from {low:.2g} to {high:.2g}.</numerusform>
            <numerusform>%n learning rates from {low:.2g} to {high:.2g}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ModelBox</name>
    <message numerus="yes">
        <source>&lt;b&gt;{arch}&lt;/b&gt; &amp;nbsp; %n class(es): {names}&lt;br&gt;input {size} ({channels}) &amp;nbsp; validation accuracy {accuracy} &amp;nbsp; precision {precision}&lt;br&gt;&lt;small&gt;{path}&lt;/small&gt;</source>
        <translation>
            <numerusform>&lt;b&gt;{arch}&lt;/b&gt; &amp;nbsp; %n class: {names}&lt;br&gt;input {size} ({channels}) &amp;nbsp; validation accuracy {accuracy} &amp;nbsp; precision {precision}&lt;br&gt;&lt;small&gt;{path}&lt;/small&gt;</numerusform>
            <numerusform>&lt;b&gt;{arch}&lt;/b&gt; &amp;nbsp; %n classes: {names}&lt;br&gt;input {size} ({channels}) &amp;nbsp; validation accuracy {accuracy} &amp;nbsp; precision {precision}&lt;br&gt;&lt;small&gt;{path}&lt;/small&gt;</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PhaseDisplay</name>
    <message numerus="yes">
        <source>evaluating best.pt on the validation set: {done}/%n image(s)</source>
        <translation>
            <numerusform>evaluating best.pt on the validation set: {done}/%n image</numerusform>
            <numerusform>evaluating best.pt on the validation set: {done}/%n images</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Evaluated best.pt on %n validation image(s).</source>
        <translation>
            <numerusform>Evaluated best.pt on %n validation image.</numerusform>
            <numerusform>Evaluated best.pt on %n validation images.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PredictSession</name>
    <message numerus="yes">
        <source>Model loaded: {arch}, %n class(es). Drop images to classify them.</source>
        <translation>
            <numerusform>Model loaded: {arch}, %n class. Drop images to classify them.</numerusform>
            <numerusform>Model loaded: {arch}, %n classes. Drop images to classify them.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{previous} %n dropped item(s) wait for a model.</source>
        <translation>
            <numerusform>{previous} %n dropped item wait for a model.</numerusform>
            <numerusform>{previous} %n dropped items wait for a model.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Predicted {done} of {total} images; %n could not be used (see the Error column).</source>
        <translation>
            <numerusform>Predicted {done} of {total} images; %n could not be used (see the Error column).</numerusform>
            <numerusform>Predicted {done} of {total} images; %n could not be used (see the Error column).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Predicted %n image(s).</source>
        <translation>
            <numerusform>Predicted %n image.</numerusform>
            <numerusform>Predicted %n images.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n row(s) to &apos;{path}&apos;.</source>
        <translation>
            <numerusform>Exported %n row to &apos;{path}&apos;.</numerusform>
            <numerusform>Exported %n rows to &apos;{path}&apos;.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RunsPanel</name>
    <message numerus="yes">
        <source>%n run(s)</source>
        <translation>
            <numerusform>%n run</numerusform>
            <numerusform>%n runs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n running</source>
        <translation>
            <numerusform>%n running</numerusform>
            <numerusform>%n running</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n shown</source>
        <translation>
            <numerusform>%n shown</numerusform>
            <numerusform>%n shown</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Move %n run folder(s) to the trash?

{names}

You can restore them from the system trash.</source>
        <translation>
            <numerusform>Move %n run folder to the trash?

{names}

You can restore them from the system trash.</numerusform>
            <numerusform>Move %n run folders to the trash?

{names}

You can restore them from the system trash.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Moved %n run folder(s) to the trash.</source>
        <translation>
            <numerusform>Moved %n run folder to the trash.</numerusform>
            <numerusform>Moved %n run folders to the trash.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ScriptCopier</name>
    <message numerus="yes">
        <source>Copied the training script of {bundle} (%n line(s)) to the clipboard.</source>
        <translation>
            <numerusform>Copied the training script of {bundle} (%n line) to the clipboard.</numerusform>
            <numerusform>Copied the training script of {bundle} (%n lines) to the clipboard.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ThumbnailStrip</name>
    <message numerus="yes">
        <source>... and %n more class(es)</source>
        <translation>
            <numerusform>... and %n more class</numerusform>
            <numerusform>... and %n more classes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrainPanel</name>
    <message numerus="yes">
        <source>Loaded %n epoch(s) from {folder}</source>
        <translation>
            <numerusform>Loaded %n epoch from {folder}</numerusform>
            <numerusform>Loaded %n epochs from {folder}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrainReport</name>
    <message numerus="yes">
        <source>{arch}: {trainable:,} trainable / {total:,} parameters; {classes} classes; {train:,} training / {valid:,} validation images; %n batch(es) per epoch; device {device}, {precision}.</source>
        <translation>
            <numerusform>{arch}: {trainable:,} trainable / {total:,} parameters; {classes} classes; {train:,} training / {valid:,} validation images; %n batch per epoch; device {device}, {precision}.</numerusform>
            <numerusform>{arch}: {trainable:,} trainable / {total:,} parameters; {classes} classes; {train:,} training / {valid:,} validation images; %n batches per epoch; device {device}, {precision}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unreadable image(s) skipped: {example}</source>
        <translation>
            <numerusform>%n unreadable image skipped: {example}</numerusform>
            <numerusform>%n unreadable images skipped: {example}</numerusform>
        </translation>
    </message>
</context>
</TS>
