package io.nerva.processor.checking;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import io.nerva.processor.model.LayerKind;
import io.nerva.processor.model.Limits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The catalogue of every diagnostic the processor reports: its kind (error, warning with its
 * suppression key, note), where it points, its text as a template, and an example for the
 * catalogue in processor/README.md, which is generated from this enum (DiagnosticCatalogueTest
 * fails when the committed table differs).
 *
 * <p>A template names its parameters as {@code ${name}} (a message's own braces, as in
 * {@code input = {features}}, stay literal); {@link Diagnostics#report} takes one argument per
 * distinct name, in order of first appearance, and throws on a mismatch, so a wrong call site
 * fails every test that reaches it. A warning's text is followed by {@code [nerva:<key>]}.
 */
public enum Message {
    // ---- the @Network annotation and the class ---------------------------------------------
    INPUT_MISSING(
            error(),
            Target.NETWORK_VALUE,
            "@Network needs the shape of one input sample: input = {features} for vectors or {height, width, channels} for images"),
    INPUT_RANK(
            error(),
            Target.NETWORK_VALUE,
            "input shape ${shape} has ${rank} dimensions; expected 1 ({features}), 2 ({timesteps, features}) or 3 ({height, width, channels})",
            "4x4x2x2",
            4),
    INPUT_DIMENSION(
            error(),
            Target.NETWORK_VALUE,
            "input dimension ${index} is ${size}; every dimension must be positive",
            1,
            0),
    INPUT_TOO_LARGE(
            error(),
            Target.NETWORK_VALUE,
            "input shape ${shape} holds ${floats} floats per sample; the runtime indexes at most "
                    + Limits.format(Limits.MAX_SAMPLE_FLOATS),
            "65536x65537x1",
            "4,295,032,832"),
    NETWORK_EMPTY(
            error(),
            Target.NETWORK,
            "network ${network} is empty; annotate fields of type Layer with layer annotations ("
                    + LayerKind.allDisplayNames() + "), in layer order",
            "Net"),
    NETWORK_WITHOUT_LAYERS(
            error(),
            Target.NETWORK,
            "network ${network} has fields but none is a layer; annotate fields of type Layer with layer annotations ("
                    + LayerKind.allDisplayNames() + "), in layer order",
            "Net"),
    NOT_A_CLASS(
            error(), Target.CLASS, "@Network must be on a class, but ${network} is ${aKind}", "Net", "an interface"),
    CLASS_PRIVATE(
            error(),
            Target.CLASS,
            "network class ${network} is private; the generated ${model} must extend it, so make it package-private or public",
            "Net",
            "Outer_NetModel"),
    CLASS_FINAL(
            error(),
            Target.CLASS,
            "network class ${network} is final; the generated ${model} must extend it, so remove 'final' "
                    + "(declaring it abstract says it is only a declaration)",
            "Net",
            "NetModel"),
    CLASS_GENERIC(
            error(),
            Target.CLASS,
            "network class ${network} is generic; a network's shapes are fixed, so remove the type parameters",
            "Net"),
    CLASS_INNER(
            error(),
            Target.CLASS,
            "network class ${network} is an inner class; make it static (or top-level) so ${model} can be created "
                    + "without an enclosing instance",
            "Net",
            "Outer_NetModel"),
    CLASS_IN_PRIVATE_CLASS(
            error(),
            Target.CLASS,
            "network class ${network} is inside private class ${outer}; the generated code cannot reach it",
            "Net",
            "Outer"),
    ABSTRACT_METHOD(
            error(),
            Target.METHOD,
            "network class ${network} declares abstract method ${method}, which the generated ${model} does not implement; "
                    + "give it a body or remove it",
            "Net",
            "frobnicate(java.lang.String)",
            "NetModel"),
    NO_CONSTRUCTOR(
            error(),
            Target.CLASS,
            "network class ${network} needs a non-private constructor without parameters for ${model} to call",
            "Net",
            "NetModel"),

    // ---- layer fields ------------------------------------------------------------------------
    FIELD_TYPE(
            error(),
            Target.FIELD,
            "${field}: a layer field must have type " + NetworkChecker.LAYER_TYPE + ", found ${type}",
            "out",
            "java.lang.Object"),
    FIELD_MODIFIER(
            error(),
            Target.FIELD,
            "${field}: a layer field cannot be ${modifier}; the generated model assigns it, so remove '${modifier}'",
            "out",
            "private"),
    LAYERS_SHARE_FIELD(
            error(),
            Target.LAYER,
            "${field} has ${count} layer annotations, ${annotations}; put each layer on its own field",
            "hidden",
            2,
            "@Dense and @Dropout"),
    ACTIVATION_SHARES_FIELD(
            error(),
            Target.LAYER,
            "${field} has ${count} layer annotations, ${annotations}; @Activation can share a field only with @Dense "
                    + "or @Conv2D; put it on a field of its own",
            "drop",
            2,
            "@Dropout and @Activation"),
    LAYER_OUTSIDE_NETWORK(
            error(),
            Target.FIELD,
            "${field}: ${annotations} has no effect because ${owner} is not annotated @Network(input = {...})",
            "out",
            "@Dense",
            "Net"),

    // ---- sizes the runtime can index -----------------------------------------------------------
    LAYER_TOO_LARGE(
            error(),
            Target.LAYER,
            "${field}: ${kind} needs ${floats} floats per sample (output ${shape}); the runtime indexes at most "
                    + Limits.format(Limits.MAX_SAMPLE_FLOATS),
            "conv",
            "Conv2D",
            "8,100,000,000",
            "30000x30000x8"),
    TENSOR_TOO_LARGE(
            error(),
            Target.LAYER,
            "${tensor} ${shape} has ${count} parameters; one tensor holds at most " + Limits.format(Limits.MAX_PARAMS),
            "huge.kernel",
            "[784, 2147483647]",
            "1,683,627,179,248"),
    NETWORK_TOO_LARGE(
            error(),
            Target.LAYER,
            "${field} brings the network to ${count} parameters; a network holds at most "
                    + Limits.format(Limits.MAX_PARAMS),
            "b",
            "2,200,030,000"),

    // ---- Dense, initializers ------------------------------------------------------------------
    DENSE_UNITS(
            error(), Target.LAYER_VALUE, "${field}: Dense needs a positive number of units, got ${units}", "out", 0),
    DENSE_ON_IMAGE(
            error(),
            Target.LAYER,
            "${field}: Dense needs a flat input or a sequence but receives ${input} (from ${source}); "
                    + "add a @Flatten field before ${field}",
            "out",
            "28x28x1",
            "the network input"),
    INIT_VALUE_NOT_FINITE(
            error(), Target.LAYER_VALUE, "${field}: initValue must be a finite float, got ${value}", "out", Double.NaN),
    UNUSED_INIT_VALUE(
            warning("unused-init-value"),
            Target.LAYER,
            "${field}: initValue only applies to Initializer.CONSTANT, which this layer does not use",
            "out"),
    UNUSED_BIAS_INIT(
            warning("unused-bias-init"), Target.LAYER, "${field}: biasInit has no effect with useBias = false", "out"),

    // ---- image layers -------------------------------------------------------------------------
    CONV_FILTERS(
            error(),
            Target.LAYER_VALUE,
            "${field}: Conv2D needs a positive number of filters, got ${filters}",
            "conv",
            0),
    WINDOW_ARITY(
            error(),
            Target.LAYER_VALUE,
            "${field}: ${attribute} = ${values} has ${count} values; write one for both axes (${attribute} = ${example}) "
                    + "or two for {height, width} (${attribute} = {${example}, 1})",
            "conv",
            "kernel",
            "{3, 3, 3}",
            3,
            3),
    WINDOW_NOT_POSITIVE(
            error(),
            Target.LAYER_VALUE,
            "${field}: ${attribute} = ${values} must be positive; ${kind} needs at least 1 in each direction",
            "conv",
            "strides",
            "{0}",
            "Conv2D"),
    IMAGE_INPUT_NEEDED_SQUARE(
            error(),
            Target.LAYER,
            "${field}: ${kind} needs an image input (height, width, channels) but receives ${input} (from the network input); "
                    + "declare @Network(input = {${side}, ${side}, 1})",
            "conv1",
            "Conv2D",
            784,
            28),
    IMAGE_INPUT_NEEDED(
            error(),
            Target.LAYER,
            "${field}: ${kind} needs an image input (height, width, channels) but receives ${input} (from the network input); "
                    + "declare @Network(input = {height, width, channels})",
            "conv",
            "Conv2D",
            10),
    IMAGE_LAYER_AFTER_FLAT(
            error(),
            Target.LAYER,
            "${field}: ${kind} needs an image input (height, width, channels) but receives ${input} (from ${source}); "
                    + "image layers must come before @Flatten, @Dense and global pools",
            "pool",
            "MaxPool2D",
            16,
            "dense"),
    KERNEL_BEYOND_ANY_INPUT(
            error(),
            Target.LAYER_VALUE,
            "${field}: kernel ${kernel} with dilation ${dilation} spans more rows or columns than any input can have",
            "conv",
            "2147483647x3",
            "2x2"),
    KERNEL_DOES_NOT_FIT(
            error(),
            Target.LAYER_VALUE,
            "${field}: kernel ${kernel} does not fit its input ${input} (from ${source}); use padding = SAME or a smaller kernel",
            "conv2",
            "3x3",
            "2x2x32",
            "pool1"),
    DILATED_KERNEL_DOES_NOT_FIT(
            error(),
            Target.LAYER_VALUE,
            "${field}: kernel ${kernel} with dilation ${dilation} spans ${span}, which does not fit its input ${input} "
                    + "(from ${source}); use padding = SAME or a smaller kernel or dilation",
            "conv",
            "3x3",
            "2x2",
            "5x5",
            "4x4x1",
            "the network input"),
    POOL_DOES_NOT_FIT(
            error(),
            Target.LAYER_VALUE,
            "${field}: pool size ${size} does not fit its input ${input} (from ${source}); use padding = SAME or a smaller size",
            "pool",
            "4x4",
            "3x3x2",
            "the network input"),
    BATCH_NORM_MOMENTUM(
            error(),
            Target.LAYER_VALUE,
            "${field}: BatchNorm momentum must be in [0, 1), got ${momentum}; it is the weight of the old value in the "
                    + "moving averages (Keras' default is 0.99)",
            "bn",
            1.0),
    BATCH_NORM_EPSILON(
            error(),
            Target.LAYER_VALUE,
            "${field}: BatchNorm epsilon must be a positive number, got ${epsilon}; it keeps the division by "
                    + "√(variance + epsilon) finite (Keras' default is 0.001)",
            "bn",
            0.0),

    // ---- activations, dropout, flatten ----------------------------------------------------------
    ALPHA_INVALID(
            error(),
            Target.LAYER_VALUE,
            "${field}: alpha of ${activation} must be a finite number ≥ 0, got ${alpha}",
            "hidden",
            "LEAKY_RELU",
            -0.1),
    UNUSED_ALPHA(
            warning("unused-alpha"),
            Target.LAYER,
            "${field}: alpha has no effect on ${activation}; only LEAKY_RELU and ELU use it",
            "out",
            "RELU"),
    SOFTMAX_ONE_UNIT(
            error(),
            Target.LAYER_VALUE,
            "${field}: softmax over a single unit always outputs 1; use SIGMOID for one probability, or 2+ units",
            "out"),
    NO_GRADIENT(
            error(),
            Target.LAYER_VALUE,
            "${field}: ${activation} has no gradient (its derivative is zero almost everywhere), so this network cannot be "
                    + "trained; use SIGMOID or HARD_SIGMOID to train, or declare @Network(inferenceOnly = true) to only run it",
            "hidden",
            "BINARY_STEP"),
    DROPOUT_RATE(error(), Target.LAYER_VALUE, "${field}: dropout rate must be in [0, 1), got ${rate}", "drop", 1.0),
    DROPOUT_RATE_ONE_AS_FLOAT(
            error(),
            Target.LAYER_VALUE,
            "${field}: dropout rate must be in [0, 1), got ${rate} (1.0 as a float)",
            "drop",
            0.999999999999),
    NO_OP_DROPOUT(warning("no-op-dropout"), Target.LAYER, "${field}: dropout rate 0 drops nothing", "drop"),
    NO_OP_FLATTEN(
            warning("no-op-flatten"),
            Target.LAYER,
            "${field}: input ${input} (from ${source}) is already flat; this Flatten does nothing",
            "flat",
            4,
            "the network input"),

    // ---- whole-network rules ------------------------------------------------------------------
    /** Its text is {@link LossFunction#mismatch}'s, which the runtime's {@code Fit} throws too. */
    LOSS_MISMATCH(
            error(),
            Target.NETWORK_VALUE,
            "${problem}",
            LossFunction.BINARY_CROSSENTROPY.mismatch(ActivationType.SOFTMAX, 2, "out")),
    HIDDEN_SOFTMAX(
            warning("hidden-softmax"),
            Target.LAYER,
            "${field}: softmax on a hidden layer squeezes its outputs to sum to 1, which usually starves the next layer; "
                    + "softmax belongs on the output layer",
            "hidden"),
    DOUBLE_ACTIVATION(
            warning("double-activation"),
            Target.LAYER,
            "${field}: ${activation} directly after ${before} (${previous}) applies two activations in a row; remove one",
            "squash",
            "SIGMOID",
            "SIGMOID",
            "hidden"),
    LINEAR_STACK(
            warning("linear-stack"),
            Target.LAYER,
            "${field}: two Dense layers without activation in a row (${previous}, ${field}) compute a single linear map; "
                    + "add an @Activation to ${previous}",
            "b",
            "a"),
    DROPOUT_OUTPUT(
            warning("dropout-output"),
            Target.LAYER,
            "${field}: dropout on the output drops predictions while training; put it before the last layer",
            "drop"),

    // ---- sequence layers ----------------------------------------------------------------------
    RECURRENT_UNITS(
            error(),
            Target.LAYER_VALUE,
            "${field}: ${kind} needs a positive number of units, got ${units}",
            "lstm",
            "LSTM",
            0),
    SEQUENCE_INPUT_NEEDED_FLAT(
            error(),
            Target.LAYER,
            "${field}: ${kind} needs a sequence input (timesteps, features) but receives ${input} (from the network input); "
                    + "declare @Network(input = {timesteps, features}), e.g. {${input}, 1}",
            "lstm",
            "LSTM",
            784),
    SEQUENCE_INPUT_NEEDED_IMAGE(
            error(),
            Target.LAYER,
            "${field}: ${kind} needs a sequence input (timesteps, features) but receives ${input} (from the network input); "
                    + "declare @Network(input = {timesteps, features}); for images, treat each row as a step: "
                    + "{height, width·channels}",
            "gru",
            "GRU",
            "28x28x1"),
    RECURRENT_AFTER_VECTOR(
            error(),
            Target.LAYER,
            "${field}: ${kind} needs a sequence input (timesteps, features) but receives ${input} (from ${source}); "
                    + "the layer before returns one vector per sample; give ${source} returnSequences = true "
                    + "(a recurrent layer), or remove the @Flatten or global pool before it",
            "l2",
            "LSTM",
            8,
            "l1"),
    RECURRENT_AFTER_IMAGE(
            error(),
            Target.LAYER,
            "${field}: ${kind} needs a sequence input (timesteps, features) but receives ${input} (from ${source}); "
                    + "recurrent layers take {timesteps, features}; image layers cannot feed them directly",
            "lstm",
            "LSTM",
            "13x13x8",
            "conv"),
    SOFTMAX_IN_CELL(
            error(),
            Target.LAYER_VALUE,
            "${field}: ${attribute} = SOFTMAX is not an element-wise function, so it cannot act inside a ${kind} cell; "
                    + "use TANH, SIGMOID or another element-wise function (put a softmax on a later @Dense)",
            "gru",
            "recurrentActivation",
            "GRU"),
    UNIT_FORGET_BIAS_WITHOUT_BIAS(
            error(),
            Target.LAYER_VALUE,
            "${field}: unitForgetBias sets the forget gate's bias, but useBias = false leaves the LSTM without a bias; "
                    + "remove one of them",
            "lstm"),
    NO_GRADIENT_IN_CELL(
            error(),
            Target.LAYER,
            "${field}: BINARY_STEP inside a ${kind} cell has no gradient, so this network cannot be trained; "
                    + "use SIGMOID or HARD_SIGMOID, or declare @Network(inferenceOnly = true)",
            "lstm",
            "LSTM"),
    EMBEDDING_NOT_FIRST(
            error(),
            Target.LAYER,
            "${field}: Embedding looks up token ids, so it must be the first layer (it receives ${input} from ${source})",
            "emb",
            "8x4",
            "lstm"),
    EMBEDDING_INPUT(
            error(),
            Target.LAYER,
            "${field}: Embedding needs {timesteps} token ids per sample but the network input is ${input}; "
                    + "declare @Network(input = {timesteps})",
            "emb",
            "8x3"),
    EMBEDDING_INPUT_DIM(
            error(),
            Target.LAYER_VALUE,
            "${field}: Embedding inputDim is the vocabulary size and must be positive, got ${inputDim}",
            "emb",
            0),
    EMBEDDING_OUTPUT_DIM(
            error(), Target.LAYER_VALUE, "${field}: Embedding outputDim must be positive, got ${outputDim}", "emb", -1),

    MAXOUT_PIECES(
            error(),
            Target.LAYER_VALUE,
            "${field}: Maxout needs at least 1 piece per unit, got ${pieces}",
            "maxout",
            0),
    MAXOUT_NOT_DIVISIBLE(
            error(),
            Target.LAYER_VALUE,
            "${field}: Maxout groups the last axis into pieces of ${pieces}, but its input's last axis has ${width} values "
                    + "(${input}, from ${source}); make it a multiple of ${pieces}, e.g. ${suggestion}",
            "maxout",
            3,
            10,
            "10",
            "hidden",
            "9 or 12"),
    NO_OP_MAXOUT(
            warning("no-op-maxout"),
            Target.LAYER_VALUE,
            "${field}: Maxout with 1 piece per unit returns its input unchanged",
            "maxout"),

    // ---- @Custom layers -------------------------------------------------------------------------
    CUSTOM_WRONG_TYPE(
            error(),
            Target.LAYER_VALUE,
            "${field}: @Custom(${type}.class) must name a class implementing io.nerva.runtime.custom.CustomLayer (a layer) "
                    + "or io.nerva.runtime.custom.ActivationFunction (an element-wise function), but ${type} ${problem}",
            "scale",
            "Helper",
            "implements neither"),
    CUSTOM_NOT_INSTANTIABLE(
            error(),
            Target.LAYER_VALUE,
            "${field}: the generated model creates its ${type} with new ${type}(), but ${type} ${problem}",
            "scale",
            "ScaleLayer",
            "has no public constructor without parameters"),
    CUSTOM_UNITS_MISSING(
            error(),
            Target.LAYER_VALUE,
            "${field}: ${type} ${needs} units, but @Custom gives ${units}; write @Custom(value = ${type}.class, units = N) with N ≥ 1",
            "scale",
            "MyDense",
            "has shape rule LAST_AXIS_TO_UNITS, which needs",
            0),
    CUSTOM_UNITS_UNUSED(
            warning("unused-units"),
            Target.LAYER_VALUE,
            "${field}: units = ${units} has no effect: ${type} ${why}",
            "act",
            8,
            "Twice",
            "is an ActivationFunction"),
    CUSTOM_PARAM(
            error(),
            Target.LAYER,
            "${field}: ${type} declares parameter '${param}' ${problem} in its @CustomShape",
            "scale",
            "ScaleLayer",
            "gain",
            "twice"),

    // ---- regularizers --------------------------------------------------------------------------
    REGULARIZE_WITHOUT_LAYER(
            error(),
            Target.LAYER,
            "${field}: @Regularize penalises the parameters of the layer on the same field, but ${field} has no layer "
                    + "annotation; put it beside the @Dense, @Conv2D or other layer it regularizes",
            "extra"),
    REGULARIZE_VALUE(
            error(),
            Target.LAYER_VALUE,
            "${field}: @Regularize ${attribute} is ${value}; a penalty must be finite and ≥ 0",
            "hidden",
            "kernelL2",
            -0.01),
    REGULARIZE_NO_TENSOR(
            error(),
            Target.LAYER_VALUE,
            "${field}: @Regularize ${attribute} penalises a ${tensor} tensor, but this ${kind} layer has none; "
                    + "remove it (or set useBias = true where the layer has that option)",
            "out",
            "biasL2",
            "bias",
            "Dense"),

    // ---- embedded weights ---------------------------------------------------------------------
    WEIGHTS_NOT_FOUND(
            error(),
            Target.NETWORK_VALUE,
            "weights resource '${name}' not found: looked for ${path} in the class output, class path and source path; "
                    + "put the file under src/main/resources/${path}",
            "net.safetensors",
            "test/net.safetensors"),
    WEIGHTS_UNREADABLE(
            error(),
            Target.NETWORK_VALUE,
            "weights resource ${path} is not a valid safetensors file: ${problem}",
            "test/net.safetensors",
            "test/net.safetensors: file is 3 bytes long, expected at least 8 (the header length field); "
                    + "not a safetensors file"),
    WEIGHTS_MISSING_TENSOR(
            error(),
            Target.LAYER,
            "${field}: weights resource ${path} has no tensor '${tensor}' (expected shape ${shape})",
            "out",
            "test/net.safetensors",
            "out.bias",
            "[2]"),
    WEIGHTS_TENSOR_SHAPE(
            error(),
            Target.LAYER,
            "${field}: tensor '${tensor}' in ${path} has shape ${found}, but this layer needs ${shape}",
            "hidden",
            "hidden.kernel",
            "test/net.safetensors",
            "[3, 4]",
            "[4, 3]"),
    WEIGHTS_TENSOR_DTYPE(
            error(),
            Target.LAYER,
            "${field}: tensor '${tensor}' in ${path} has dtype ${dtype}; Nerva loads F32, F16, BF16 or F64",
            "out",
            "out.kernel",
            "test/net.safetensors",
            "I32"),
    WEIGHTS_EXTRA_TENSOR(
            error(),
            Target.NETWORK_VALUE,
            "weights resource ${path} has tensor '${tensor}', which no layer of ${network} declares",
            "test/net.safetensors",
            "extra.kernel",
            "Net"),
    WEIGHTS_OTHER_ARCHITECTURE(
            error(),
            Target.NETWORK_VALUE,
            "weights resource ${path} was saved from a different architecture (fingerprint ${recorded}, this network "
                    + "${expected}): the shapes fit, but an activation or another setting changed since",
            "test/net.safetensors",
            "0123456789abcdef",
            "5f1c0e9a2b7d4c38"),

    // ---- the processor itself -----------------------------------------------------------------
    INTERNAL_ERROR(
            error(),
            Target.CLASS,
            "internal error in the Nerva annotation processor while compiling ${network} (this is a bug in Nerva, "
                    + "please report it): ${exception}",
            "Net",
            "java.lang.IllegalStateException: boom"),
    INTERNAL_ERROR_TRACE(
            note(),
            Target.CLASS,
            "stack trace of the internal error:\n${trace}",
            "java.lang.IllegalStateException: boom\n\tat io.nerva.processor.NetworkProcessor.compile(NetworkProcessor.java:96)\n\t…"),
    WRITE_FAILED(error(), Target.CLASS, "could not write ${model}: ${reason}", "NetModel", "disk full"),
    SUMMARY(note(), Target.CLASS, "\n${summary}", "Model: \"Net\" …");

    /** A diagnostic's kind; {@code key} is a warning's suppression key ({@code @SuppressWarnings("nerva:<key>")}). */
    public record Kind(javax.tools.Diagnostic.Kind javac, String key) {
        @Override
        public String toString() {
            return key == null ? javac.toString().toLowerCase(java.util.Locale.ROOT) : "warning `" + key + "`";
        }
    }

    /**
     * Where a diagnostic points. {@link Diagnostics#report} checks the element (and annotation) it is given:
     * a value is only given to the {@code *_VALUE} targets, which fall back to the annotation when the
     * attribute has its default.
     */
    public enum Target {
        /** The network class (a type). */
        CLASS("class"),
        /** The {@code @Network} annotation on the class. */
        NETWORK("`@Network`"),
        /** An attribute of {@code @Network}: input, loss, weights. */
        NETWORK_VALUE("`@Network` attribute"),
        /** A method of the network class. */
        METHOD("method"),
        /** A field. */
        FIELD("field"),
        /** A layer annotation on a field. */
        LAYER("layer annotation"),
        /** An attribute of a layer annotation (the annotation when the attribute is left at its default). */
        LAYER_VALUE("layer attribute");

        private final String description;

        Target(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private final Kind kind;
    private final Target target;
    private final String template;
    private final List<String> parameters;
    /** The template split at its parameters: literal, parameter index, literal, ... (even indices are literals). */
    private final List<Object> parts;

    private final List<Object> example;

    Message(Kind kind, Target target, String template, Object... example) {
        this.kind = kind;
        this.target = target;
        this.template = template;
        Set<String> names = new LinkedHashSet<>();
        List<Object> parts = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        int at = 0;
        while (true) {
            int open = template.indexOf("${", at);
            if (open < 0) break;
            int close = template.indexOf('}', open);
            if (close < 0) throw new IllegalArgumentException(name() + ": unclosed ${ in " + template);
            String name = template.substring(open + 2, close);
            if (!name.matches("[a-zA-Z][a-zA-Z0-9]*"))
                throw new IllegalArgumentException(name() + ": bad parameter " + name);
            names.add(name);
            parts.add(template.substring(at, open));
            parts.add(index.computeIfAbsent(name, n -> index.size()));
            at = close + 1;
        }
        parts.add(template.substring(at));
        this.parameters = List.copyOf(names);
        this.parts = List.copyOf(parts);
        this.example = List.of(example);
    }

    private static Kind error() {
        return new Kind(javax.tools.Diagnostic.Kind.ERROR, null);
    }

    private static Kind warning(String key) {
        return new Kind(javax.tools.Diagnostic.Kind.WARNING, key);
    }

    private static Kind note() {
        return new Kind(javax.tools.Diagnostic.Kind.NOTE, null);
    }

    public Kind kind() {
        return kind;
    }

    public Target target() {
        return target;
    }

    /** The text with {@code ${name}} for each parameter. */
    public String template() {
        return template;
    }

    /** The parameter names, in the order {@link #format} takes their values. */
    public List<String> parameters() {
        return parameters;
    }

    /** Example arguments, for the catalogue in the README. */
    public List<Object> example() {
        return example;
    }

    /**
     * The message with one argument per parameter, in order; a different number of arguments, or a
     * null, is a bug in the caller and throws. A warning's {@code [nerva:<key>]} is not part of it.
     */
    public String format(Object... args) {
        if (args.length != parameters.size()) {
            throw new IllegalArgumentException(name() + " takes " + parameters.size() + " argument(s) " + parameters
                    + ", got " + args.length + ": " + java.util.Arrays.toString(args));
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            if (i % 2 == 0) {
                sb.append((String) parts.get(i));
            } else {
                Object arg = args[(Integer) parts.get(i)];
                if (arg == null)
                    throw new IllegalArgumentException(
                            name() + ": argument " + parameters.get((Integer) parts.get(i)) + " is null");
                sb.append(arg);
            }
        }
        return sb.toString();
    }

    /** The message with its example arguments, as the README shows it. */
    public String exampleText() {
        return format(example.toArray());
    }
}
