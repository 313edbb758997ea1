package io.nerva.processor;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.Initializer;
import io.nerva.annotations.LossFunction;
import io.nerva.annotations.Padding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Random {@code @Network} classes for {@link FuzzTest}, reproducible from a seed, and an
 * independent prediction of what the processor must do with each: the errors the README's
 * catalogue requires (in the checker's documented order), the shape of every layer, the
 * parameter count, and whether the forward/backward values can be expected to stay finite.
 *
 * <p>Every layer kind is generated: flat inputs {@code {n}} (Dense, Activation, Dropout,
 * BatchNorm, Flatten, or an Embedding first, which makes {@code {n}} a sequence of token ids);
 * images {@code {h, w, c}} (Conv2D with every attribute and a fused activation, SOFTMAX per pixel
 * included; MaxPool2D/AvgPool2D; the global pools; BatchNorm; Activation, Dropout, Flatten); and
 * sequences {@code {T, F}} (SimpleRNN, LSTM, GRU with their options; Dense per step; BatchNorm,
 * Activation, Dropout, Flatten). Mistakes are layers of the wrong family for their input, windows
 * that do not fit, malformed or non-positive attributes, bad BatchNorm values, softmax or binary
 * step inside a cell, and the older class, field and value mistakes.
 *
 * <p>The prediction is written from the annotations' contract and the README, not from the
 * checker's code: where the contract does not decide (a BatchNorm momentum below 1 that rounds to
 * 1.0f, an epsilon that rounds to 0.0f, two field names that differ only in case or underscores),
 * the network is marked {@link Prediction#uncertain()}: an error is then acceptable, but if the
 * processor generates a model it must compile and run. What the catalogue has since decided is
 * predicted as an error: a non-finite {@code initValue}, an alpha beyond float range, a dropout
 * rate that is 1.0 as a float.
 */
final class FuzzNetworks {
    private FuzzNetworks() {}

    // ---- the generated declaration ---------------------------------------------------------

    sealed interface Ann {
        String text();
    }

    /** {@code useBias}, {@code kernelInit}, {@code biasInit}, {@code initValue}: null = not written. */
    record DenseAnn(int units, Boolean useBias, Initializer kernelInit, Initializer biasInit, Float initValue)
            implements Ann {
        public String text() {
            List<String> args = new ArrayList<>();
            if (useBias != null) args.add("useBias = " + useBias);
            if (kernelInit != null) args.add("kernelInit = Initializer." + kernelInit);
            if (biasInit != null) args.add("biasInit = Initializer." + biasInit);
            if (initValue != null) args.add("initValue = " + floatLiteral(initValue));
            if (args.isEmpty()) return "@Dense(" + units + ")";
            return "@Dense(value = " + units + ", " + String.join(", ", args) + ")";
        }

        boolean bias() {
            return useBias == null || useBias;
        }

        Initializer kernel() {
            return kernelInit == null ? Initializer.GLOROT_UNIFORM : kernelInit;
        }

        Initializer biasInitOrDefault() {
            return biasInit == null ? Initializer.ZEROS : biasInit;
        }

        float value() {
            return initValue == null ? 0f : initValue;
        }
    }

    /** {@code alpha}: null = not written. */
    record ActAnn(ActivationType type, Double alpha) implements Ann {
        public String text() {
            if (alpha == null) return "@Activation(ActivationType." + type + ")";
            return "@Activation(value = ActivationType." + type + ", alpha = " + doubleLiteral(alpha) + ")";
        }

        boolean usesAlpha() {
            return type == ActivationType.LEAKY_RELU || type == ActivationType.ELU;
        }

        /** The alpha the runtime computes with. */
        double effectiveAlpha() {
            return alpha == null || Double.isNaN(alpha) || !usesAlpha() ? type.defaultAlpha() : (float) (double) alpha;
        }
    }

    record DropAnn(double rate) implements Ann {
        public String text() {
            return "@Dropout(" + doubleLiteral(rate) + ")";
        }
    }

    record FlatAnn() implements Ann {
        public String text() {
            return "@Flatten";
        }
    }

    /** Conv2D: {@code kernel}, {@code strides}, {@code dilation}, {@code padding}... null = not written. */
    record ConvAnn(
            int filters,
            int[] kernel,
            int[] strides,
            int[] dilation,
            Padding padding,
            Boolean useBias,
            Initializer kernelInit,
            Initializer biasInit,
            Float initValue)
            implements Ann {
        public String text() {
            List<String> args = new ArrayList<>();
            args.add("filters = " + filters);
            if (kernel != null) args.add("kernel = " + intsLiteral(kernel));
            if (strides != null) args.add("strides = " + intsLiteral(strides));
            if (dilation != null) args.add("dilation = " + intsLiteral(dilation));
            if (padding != null) args.add("padding = Padding." + padding);
            if (useBias != null) args.add("useBias = " + useBias);
            if (kernelInit != null) args.add("kernelInit = Initializer." + kernelInit);
            if (biasInit != null) args.add("biasInit = Initializer." + biasInit);
            if (initValue != null) args.add("initValue = " + floatLiteral(initValue));
            return "@Conv2D(" + String.join(", ", args) + ")";
        }

        int[] kernelOrDefault() {
            return kernel == null ? new int[] {3, 3} : kernel;
        }

        int[] stridesOrDefault() {
            return strides == null ? new int[] {1} : strides;
        }

        int[] dilationOrDefault() {
            return dilation == null ? new int[] {1} : dilation;
        }

        Padding paddingOrDefault() {
            return padding == null ? Padding.VALID : padding;
        }

        boolean bias() {
            return useBias == null || useBias;
        }

        Initializer kernel0() {
            return kernelInit == null ? Initializer.GLOROT_UNIFORM : kernelInit;
        }

        Initializer bias0() {
            return biasInit == null ? Initializer.ZEROS : biasInit;
        }

        float value() {
            return initValue == null ? 0f : initValue;
        }
    }

    /** MaxPool2D ({@code max}) or AvgPool2D; {@code size}, {@code strides}, {@code padding}: null = not written. */
    record PoolAnn(boolean max, int[] size, int[] strides, Padding padding) implements Ann {
        public String text() {
            List<String> args = new ArrayList<>();
            if (size != null) args.add("size = " + intsLiteral(size));
            if (strides != null) args.add("strides = " + intsLiteral(strides));
            if (padding != null) args.add("padding = Padding." + padding);
            return "@" + kind() + (args.isEmpty() ? "" : "(" + String.join(", ", args) + ")");
        }

        String kind() {
            return max ? "MaxPool2D" : "AvgPool2D";
        }

        int[] sizeOrDefault() {
            return size == null ? new int[] {2, 2} : size;
        }

        Padding paddingOrDefault() {
            return padding == null ? Padding.VALID : padding;
        }
    }

    record GlobalPoolAnn(boolean max) implements Ann {
        public String text() {
            return "@" + kind();
        }

        String kind() {
            return max ? "GlobalMaxPool2D" : "GlobalAvgPool2D";
        }
    }

    /** {@code momentum}, {@code epsilon}: null = not written. */
    record BnAnn(Double momentum, Double epsilon) implements Ann {
        public String text() {
            List<String> args = new ArrayList<>();
            if (momentum != null) args.add("momentum = " + doubleLiteral(momentum));
            if (epsilon != null) args.add("epsilon = " + doubleLiteral(epsilon));
            return "@BatchNorm" + (args.isEmpty() ? "" : "(" + String.join(", ", args) + ")");
        }

        double eps() {
            return epsilon == null ? 0.001 : epsilon;
        }
    }

    enum Cell {
        SIMPLE_RNN("SimpleRNN", 1),
        LSTM("LSTM", 4),
        GRU("GRU", 3);

        final String kind;
        final int gates;

        Cell(String kind, int gates) {
            this.kind = kind;
            this.gates = gates;
        }
    }

    /** SimpleRNN, LSTM or GRU; every Object-typed component null = not written. */
    record RnnAnn(
            Cell cell,
            int units,
            ActivationType activation,
            ActivationType recurrentActivation,
            Boolean useBias,
            Boolean returnSequences,
            Boolean goBackwards,
            Boolean resetAfter,
            Boolean unitForgetBias,
            Initializer kernelInit,
            Initializer recurrentInit,
            Initializer biasInit,
            Float initValue)
            implements Ann {
        public String text() {
            List<String> args = new ArrayList<>();
            if (activation != null) args.add("activation = ActivationType." + activation);
            if (recurrentActivation != null) args.add("recurrentActivation = ActivationType." + recurrentActivation);
            if (useBias != null) args.add("useBias = " + useBias);
            if (returnSequences != null) args.add("returnSequences = " + returnSequences);
            if (goBackwards != null) args.add("goBackwards = " + goBackwards);
            if (resetAfter != null) args.add("resetAfter = " + resetAfter);
            if (unitForgetBias != null) args.add("unitForgetBias = " + unitForgetBias);
            if (kernelInit != null) args.add("kernelInit = Initializer." + kernelInit);
            if (recurrentInit != null) args.add("recurrentInit = Initializer." + recurrentInit);
            if (biasInit != null) args.add("biasInit = Initializer." + biasInit);
            if (initValue != null) args.add("initValue = " + floatLiteral(initValue));
            if (args.isEmpty()) return "@" + cell.kind + "(" + units + ")";
            return "@" + cell.kind + "(value = " + units + ", " + String.join(", ", args) + ")";
        }

        ActivationType act() {
            return activation == null ? ActivationType.TANH : activation;
        }

        /** SimpleRNN has no recurrent activation: SIGMOID stands for "none" in the bounds. */
        ActivationType recAct() {
            return recurrentActivation == null || cell == Cell.SIMPLE_RNN
                    ? ActivationType.SIGMOID
                    : recurrentActivation;
        }

        boolean bias() {
            return useBias == null || useBias;
        }

        boolean sequences() {
            return returnSequences != null && returnSequences;
        }

        boolean resetAfterOrDefault() {
            return resetAfter == null || resetAfter;
        }

        boolean forgetBias() {
            return cell == Cell.LSTM && (unitForgetBias == null || unitForgetBias);
        }

        float value() {
            return initValue == null ? 0f : initValue;
        }
    }

    /** {@code init}, {@code initValue}: null = not written. */
    record EmbAnn(int inputDim, int outputDim, Initializer init, Float initValue) implements Ann {
        public String text() {
            List<String> args = new ArrayList<>();
            args.add("inputDim = " + inputDim);
            args.add("outputDim = " + outputDim);
            if (init != null) args.add("embeddingsInit = Initializer." + init);
            if (initValue != null) args.add("initValue = " + floatLiteral(initValue));
            return "@Embedding(" + String.join(", ", args) + ")";
        }

        Initializer initOrDefault() {
            return init == null ? Initializer.RANDOM_UNIFORM : init;
        }

        float value() {
            return initValue == null ? 0f : initValue;
        }
    }

    /** {@code alphaInit}, {@code initValue}: null = not written. */
    record PReluAnn(Initializer init, Float initValue) implements Ann {
        public String text() {
            List<String> args = new ArrayList<>();
            if (init != null) args.add("alphaInit = Initializer." + init);
            if (initValue != null) args.add("initValue = " + floatLiteral(initValue));
            return "@PReLU" + (args.isEmpty() ? "" : "(" + String.join(", ", args) + ")");
        }

        Initializer initOrDefault() {
            return init == null ? Initializer.ZEROS : init;
        }

        float value() {
            return initValue == null ? 0f : initValue;
        }
    }

    record MaxoutAnn(int pieces) implements Ann {
        public String text() {
            return "@Maxout(" + pieces + ")";
        }
    }

    /** A field: modifiers as written (e.g. {@code "private "}), its type, and its layer annotations (none = plain field). */
    record Field(String name, String modifiers, String type, List<Ann> annotations) {
        boolean isLayer() {
            return !annotations.isEmpty();
        }

        <T extends Ann> T get(Class<T> kind) {
            return annotations.stream()
                    .filter(kind::isInstance)
                    .map(kind::cast)
                    .findFirst()
                    .orElse(null);
        }

        String text() {
            String anns = annotations.stream().map(Ann::text).collect(Collectors.joining(" "));
            return (anns.isEmpty() ? "" : anns + " ") + modifiers + type + " " + name + ";";
        }
    }

    /** Class-level oddities: at most one per network. */
    enum ClassShape {
        NORMAL,
        CONCRETE,
        FINAL,
        GENERIC,
        CTOR_WITH_PARAM,
        PRIVATE_CTOR
    }

    record Net(
            long seed,
            String simpleName,
            int[] input,
            LossFunction loss,
            boolean lossWritten,
            boolean inferenceOnly,
            ClassShape classShape,
            List<Field> fields,
            String source,
            Prediction prediction) {
        String qualifiedName() {
            return "fuzz." + simpleName;
        }

        String modelName() {
            return "fuzz." + simpleName + "Model";
        }

        List<Field> layerFields() {
            return fields.stream().filter(Field::isLayer).toList();
        }
    }

    /**
     * What the processor must do. {@code faults}: message fragments every one of which must be
     * among the errors on this network's file (empty: no error at all). {@code uncertain}: the
     * contract does not decide; {@code faults} is then empty and either outcome is accepted.
     * The remaining fields describe the generated model when the network is valid:
     * {@code layerParams} every layer's parameter count (all its tensors), {@code layerViews} the
     * part the runtime {@code Layer} exposes as its kernel and bias views (a recurrent layer's
     * recurrent kernel and BatchNorm's moving statistics are not among them), {@code trainingDiffers}
     * whether a training forward pass may differ from inference (dropout, BatchNorm's batch
     * statistics), {@code vocabulary} the Embedding's inputDim (the inputs must then be token ids in
     * {@code [0, vocabulary)}) or 0.
     */
    record Prediction(
            List<String> faults,
            boolean uncertain,
            String uncertainWhy,
            List<String> layerNames,
            List<String> layerTypes,
            List<int[]> layerShapes,
            List<Long> layerParams,
            List<Long> layerViews,
            long params,
            ActivationType outputActivation,
            boolean trainingDiffers,
            int vocabulary,
            boolean finiteExpected,
            double forwardBound,
            double gradientBound) {
        boolean valid() {
            return faults.isEmpty();
        }

        int[] outputShape() {
            return layerShapes.getLast();
        }
    }

    // ---- generation ------------------------------------------------------------------------

    private static final String[] GOOD_MODIFIERS = {
        "", "", "", "", "", "", "public ", "protected ", "volatile ", "transient "
    };
    private static final String[] BAD_MODIFIERS = {"private ", "static ", "final ", "private static "};
    private static final String[] BAD_TYPES = {"Object", "int", "String", "Layer[]", "java.util.List<Layer>"};
    /** Names that are also names in the generated code (locals, parameters, members, buffers). */
    private static final String[] ODD_NAMES = {
        "input",
        "output",
        "w",
        "g",
        "ws",
        "rows",
        "training",
        "parameters",
        "layerList",
        "SUMMARY",
        "PARAMS",
        "create",
        "Buffers",
        "kernel",
        "bias",
        "seed",
        "capacity",
        "model",
        "gradWrtLogits",
        "spec",
        "rng",
        "INPUT_SIZE",
        "inputOut",
        "$",
        "_x",
        "x$y",
        "größe",
        "ids",
        "state",
        "cols",
        "mask",
        "mean",
        "gamma",
        "h",
        "c",
        "steps"
    };
    /** Pairs of distinct Java names that a naive UPPER_SNAKE conversion maps to the same constant. */
    private static final String[][] CLASHING_NAMES = {{"h", "H"}, {"aB", "a_b"}, {"abc", "ABc"}, {"x1", "X1"}};

    private static final double[] GOOD_RATES = {0.0, 0.1, 0.25, 0.5, 0.9};
    private static final double[] BAD_RATES = {1.0, -0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY};
    /** Below 1 as a double, exactly 1 as a float. */
    private static final double[] HOSTILE_RATES = {0.99999999, 1 - 1e-12};

    private static final double[] GOOD_ALPHAS = {0.0, 0.01, 0.3, 1.0, 2.5, Double.NaN};
    private static final double[] BAD_ALPHAS = {-0.1, -1.0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
    /** Finite as a double, infinite as a float. */
    private static final double[] HOSTILE_ALPHAS = {1e300, 1e39};

    private static final float[] HOSTILE_INIT_VALUES = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    private static final double[] GOOD_MOMENTA = {0.0, 0.5, 0.9, 0.99};
    private static final double[] BAD_MOMENTA = {1.0, -0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY};
    /** Below 1 as a double, exactly 1 as a float. */
    private static final double[] HOSTILE_MOMENTA = {0.99999999, 1 - 1e-12};

    private static final double[] GOOD_EPSILONS = {1e-5, 1e-3, 0.1, 1.0};
    private static final double[] BAD_EPSILONS = {
        0.0, -1e-3, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY
    };
    /** Positive as a double, 0 as a float ({@code 1e-50}), or a float subnormal ({@code 1e-40}: legal, and 1/√ε is huge). */
    private static final double[] HOSTILE_EPSILONS = {1e-50, 1e-40};
    /** Cell functions besides the defaults; SOFTMAX and BINARY_STEP only as mistakes (or inference-only). */
    private static final ActivationType[] CELL_FUNCTIONS = {
        ActivationType.TANH,
        ActivationType.SIGMOID,
        ActivationType.HARD_SIGMOID,
        ActivationType.SOFTSIGN,
        ActivationType.RELU,
        ActivationType.LINEAR,
        ActivationType.ARCTAN,
        ActivationType.ELU,
        ActivationType.SWISH
    };

    /**
     * Whether the generator may write values that are legal Java but on the edge of the contract
     * (float-overflowing alpha, dropout rate or momentum rounding to 1.0f, epsilon rounding to 0f,
     * non-finite initValue, clashing names). {@code -Dnerva.fuzz.hostile=false} turns them off to
     * look for other bugs while those are known; the other choices of each seed stay the same.
     */
    static final boolean hostileLiterals = Boolean.parseBoolean(System.getProperty("nerva.fuzz.hostile", "true"));

    static Net generate(long seed) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
        Gen g = new Gen(r);
        String simpleName = "Net" + seed;

        // how often this network makes a mistake
        double roll = r.nextDouble();
        g.p = roll < 0.35 ? 0 : roll < 0.7 ? 0.04 : 0.2;

        int[] input;
        if (g.fault(1.5)) {
            input = switch (r.nextInt(6)) {
                case 0 -> new int[0];
                case 1 -> new int[] {0, 3};
                case 2 -> new int[] {0};
                case 3 -> new int[] {-2};
                case 4 -> new int[] {3, 0, 2};
                default -> new int[] {2, 2, 2, 2};
            };
        } else {
            double kind = r.nextDouble();
            if (kind < 0.35) input = new int[] {1 + r.nextInt(12)};
            else if (kind < 0.7) input = new int[] {1 + r.nextInt(7), 1 + r.nextInt(7), 1 + r.nextInt(3)};
            else input = new int[] {1 + r.nextInt(5), 1 + r.nextInt(4)};
        }
        boolean inferenceOnly = r.nextDouble() < 0.15;
        g.inferenceOnly = inferenceOnly;
        boolean lossWritten = r.nextDouble() < 0.3;
        LossFunction loss = lossWritten ? pick(r, LossFunction.values()) : LossFunction.UNSPECIFIED;
        ClassShape classShape = ClassShape.NORMAL;
        if (g.fault(0.5)) {
            classShape = pick(r, new ClassShape[] {
                ClassShape.FINAL, ClassShape.GENERIC, ClassShape.CTOR_WITH_PARAM, ClassShape.PRIVATE_CTOR
            });
        } else if (r.nextDouble() < 0.1) {
            classShape = ClassShape.CONCRETE;
        }

        // the fields
        int layers = r.nextDouble() < 0.02 ? 0 : 1 + r.nextInt(input.length == 3 ? 7 : 6);
        Names names = new Names(r, g.fault(0.5) && hostileLiterals);
        List<Field> fields = new ArrayList<>();
        boolean inputOk =
                input.length >= 1 && input.length <= 3 && Arrays.stream(input).allMatch(d -> d > 0);
        int[] shape = inputOk ? input.clone() : new int[] {3};
        for (int i = 0; i < layers; i++) {
            if (r.nextDouble() < 0.05) {
                fields.add(new Field("spare" + i, "", r.nextBoolean() ? "Layer" : "int", List.of()));
            }
            boolean last = i == layers - 1;
            List<Ann> anns = g.layer(shape, i == 0, last);
            if (g.fault(1)) {
                // a second layer annotation where it does not belong
                Ann extra = switch (r.nextInt(7)) {
                    case 0 -> new DropAnn(0.5);
                    case 1 -> new FlatAnn();
                    case 2 -> new DenseAnn(3, null, null, null, null);
                    case 3 -> new BnAnn(null, null);
                    case 4 -> new PoolAnn(true, null, null, null);
                    case 5 ->
                        new RnnAnn(Cell.LSTM, 2, null, null, null, null, null, null, null, null, null, null, null);
                    default -> new ActAnn(ActivationType.RELU, null);
                };
                boolean sameKind = anns.stream().anyMatch(a -> a.getClass() == extra.getClass());
                if (!sameKind) anns.add(r.nextInt(anns.size() + 1), extra);
            }
            String modifiers = g.fault(0.5) ? pick(r, BAD_MODIFIERS) : pick(r, GOOD_MODIFIERS);
            String type = g.fault(0.5) ? pick(r, BAD_TYPES) : "Layer";
            Field field = new Field(names.next(i, anns), modifiers, type, List.copyOf(anns));
            fields.add(field);
            Step step = step(field, shape, "", i == 0, new ArrayList<>());
            if (step.faults().isEmpty()) shape = step.out();
            if (last && r.nextDouble() < 0.05) fields.add(new Field("after", "", "Layer", List.of()));
        }
        String source = source(simpleName, input, loss, lossWritten, inferenceOnly, classShape, fields);
        Net draft = new Net(
                seed,
                simpleName,
                input,
                loss,
                lossWritten,
                inferenceOnly,
                classShape,
                List.copyOf(fields),
                source,
                null);
        return new Net(
                seed,
                simpleName,
                input,
                loss,
                lossWritten,
                inferenceOnly,
                classShape,
                draft.fields(),
                source,
                predict(draft));
    }

    /** The random choices, each a mistake with probability {@code p × weight}. */
    private static final class Gen {
        final SplittableRandom r;
        double p;
        boolean inferenceOnly;

        Gen(SplittableRandom r) {
            this.r = r;
        }

        boolean fault(double weight) {
            return r.nextDouble() < p * weight;
        }

        boolean hostile() {
            return r.nextDouble() < p * 0.15 && hostileLiterals;
        }

        /** The annotations of one layer field for an input of {@code shape} (mostly fitting it). */
        List<Ann> layer(int[] shape, boolean first, boolean last) {
            List<Ann> anns = new ArrayList<>();
            int width = shape[shape.length - 1];
            if (shape.length == 1 && first && r.nextDouble() < 0.35 && !fault(1)) {
                anns.add(embedding());
                return anns;
            }
            if (fault(1.5)) {
                // a layer of another family than this shape takes
                switch (r.nextInt(5)) {
                    case 0 -> anns.add(recurrent(new int[] {3}));
                    case 1 -> anns.add(conv(new int[] {4, 4, 1}, false));
                    case 2 ->
                        anns.add(r.nextBoolean() ? pool(new int[] {4, 4, 1}) : new GlobalPoolAnn(r.nextBoolean()));
                    case 3 -> anns.add(embedding());
                    default -> anns.add(dense());
                }
                return anns;
            }
            if (r.nextDouble() < 0.08) { // the parametric activations fit every family
                anns.add(r.nextBoolean() ? pRelu() : maxout(width));
                return anns;
            }
            double k = r.nextDouble();
            if (shape.length == 3) {
                if (k < 0.27) {
                    ConvAnn c = conv(shape, last);
                    anns.add(c);
                    if (r.nextDouble() < 0.5) addActivation(anns, Math.max(c.filters(), 1));
                } else if (k < 0.42) {
                    anns.add(pool(shape));
                } else if (k < 0.49) {
                    anns.add(new GlobalPoolAnn(r.nextBoolean()));
                } else if (k < 0.59) {
                    anns.add(batchNorm());
                } else if (k < 0.69) {
                    anns.add(activation(width));
                } else if (k < 0.76) {
                    anns.add(dropout());
                } else {
                    anns.add(new FlatAnn());
                }
            } else if (shape.length == 2) {
                if (k < 0.4) {
                    anns.add(recurrent(shape));
                } else if (k < 0.58) {
                    DenseAnn d = dense();
                    anns.add(d);
                    if (r.nextDouble() < 0.5) addActivation(anns, Math.max(d.units(), 1));
                } else if (k < 0.68) {
                    anns.add(batchNorm());
                } else if (k < 0.78) {
                    anns.add(activation(width));
                } else if (k < 0.88) {
                    anns.add(dropout());
                } else {
                    anns.add(new FlatAnn());
                }
            } else {
                if (k < 0.5) {
                    DenseAnn d = dense();
                    anns.add(d);
                    if (r.nextDouble() < 0.5) addActivation(anns, Math.max(d.units(), 1));
                } else if (k < 0.7) {
                    anns.add(activation(width));
                } else if (k < 0.82) {
                    anns.add(dropout());
                } else if (k < 0.94) {
                    anns.add(batchNorm());
                } else {
                    anns.add(new FlatAnn());
                }
            }
            return anns;
        }

        private void addActivation(List<Ann> anns, int width) {
            ActAnn a = activation(width);
            if (r.nextDouble() < 0.2) anns.addFirst(a);
            else anns.add(a);
        }

        DenseAnn dense() {
            int units = fault(1) ? pick(r, new int[] {0, -1, -7}) : 1 + r.nextInt(10);
            Boolean useBias = bool();
            Initializer kernelInit = r.nextDouble() < 0.3 ? pick(r, Initializer.values()) : null;
            Initializer biasInit = r.nextDouble() < 0.1 ? pick(r, Initializer.values()) : null;
            return new DenseAnn(units, useBias, kernelInit, biasInit, initValue(kernelInit == Initializer.CONSTANT));
        }

        private Boolean bool() {
            return switch (r.nextInt(4)) {
                case 0 -> true;
                case 1 -> false;
                default -> null;
            };
        }

        private Float initValue(boolean needed) {
            if (hostile()) return pick(r, HOSTILE_INIT_VALUES);
            if (r.nextDouble() < 0.1 || needed) return pick(r, new float[] {0.5f, -0.25f, 0.1f});
            return null;
        }

        /** One value (both axes) or two, in [1, max]; a mistake: no value, three, or a non-positive one. */
        private int[] pair(int max) {
            if (fault(0.5)) {
                return switch (r.nextInt(4)) {
                    case 0 -> new int[0];
                    case 1 -> new int[] {2, 2, 2};
                    case 2 -> new int[] {0};
                    default -> new int[] {1, -1};
                };
            }
            return r.nextBoolean()
                    ? new int[] {1 + r.nextInt(max)}
                    : new int[] {1 + r.nextInt(max), 1 + r.nextInt(max)};
        }

        ConvAnn conv(int[] shape, boolean last) {
            int filters = fault(1) ? pick(r, new int[] {0, -3}) : 1 + r.nextInt(last ? 3 : 4);
            int[] kernel = r.nextDouble() < 0.35 ? null : pair(3);
            int[] strides = r.nextDouble() < 0.6 ? null : pair(3);
            int[] dilation = r.nextDouble() < 0.8 ? null : pair(2);
            Padding padding = r.nextDouble() < 0.3 ? null : pick(r, Padding.values());
            ConvAnn c = new ConvAnn(
                    filters,
                    kernel,
                    strides,
                    dilation,
                    padding,
                    bool(),
                    r.nextDouble() < 0.2 ? pick(r, Initializer.values()) : null,
                    r.nextDouble() < 0.1 ? pick(r, Initializer.values()) : null,
                    null);
            // mostly a window that fits: SAME where VALID would not
            if (!fault(1)
                    && c.paddingOrDefault() == Padding.VALID
                    && !fits(shape, c.kernelOrDefault(), c.stridesOrDefault(), c.dilationOrDefault())) {
                padding = Padding.SAME;
            }
            Float value = initValue(c.kernel0() == Initializer.CONSTANT || c.bias0() == Initializer.CONSTANT);
            return new ConvAnn(
                    filters, kernel, strides, dilation, padding, c.useBias(), c.kernelInit(), c.biasInit(), value);
        }

        PoolAnn pool(int[] shape) {
            boolean max = r.nextBoolean();
            int[] size = r.nextDouble() < 0.4 ? null : pair(3);
            int[] strides = r.nextDouble() < 0.7 ? null : r.nextDouble() < 0.15 ? new int[0] : pair(3);
            Padding padding = r.nextDouble() < 0.4 ? null : pick(r, Padding.values());
            PoolAnn p = new PoolAnn(max, size, strides, padding);
            int[] s = strides == null || strides.length == 0 ? p.sizeOrDefault() : strides;
            if (!fault(1)
                    && p.paddingOrDefault() == Padding.VALID
                    && !fits(shape, p.sizeOrDefault(), s, new int[] {1})) {
                padding = Padding.SAME;
            }
            return new PoolAnn(max, size, strides, padding);
        }

        /** Whether a VALID window fits (or the attributes are malformed, which is another error). */
        private static boolean fits(int[] shape, int[] k, int[] s, int[] d) {
            int[] kk = pairOf(k), ss = pairOf(s), dd = pairOf(d);
            if (shape.length != 3 || kk == null || ss == null || dd == null) return true;
            return validOut(shape[0], kk[0], ss[0], dd[0]) >= 1 && validOut(shape[1], kk[1], ss[1], dd[1]) >= 1;
        }

        BnAnn batchNorm() {
            Double momentum = null, epsilon = null;
            if (hostile()) momentum = pick(r, HOSTILE_MOMENTA);
            else if (fault(0.7)) momentum = pick(r, BAD_MOMENTA);
            else if (r.nextDouble() < 0.3) momentum = pick(r, GOOD_MOMENTA);
            if (hostile()) epsilon = pick(r, HOSTILE_EPSILONS);
            else if (fault(0.7)) epsilon = pick(r, BAD_EPSILONS);
            else if (r.nextDouble() < 0.3) epsilon = pick(r, GOOD_EPSILONS);
            return new BnAnn(momentum, epsilon);
        }

        RnnAnn recurrent(int[] shape) {
            Cell cell = pick(r, Cell.values());
            int units = fault(1) ? pick(r, new int[] {0, -2}) : 1 + r.nextInt(5);
            ActivationType act = r.nextDouble() < 0.7 ? null : cellFunction();
            ActivationType rec = cell == Cell.SIMPLE_RNN || r.nextDouble() < 0.7 ? null : cellFunction();
            Boolean useBias = bool();
            Boolean unitForgetBias = null;
            if (cell == Cell.LSTM) {
                unitForgetBias = bool();
                if (useBias != null && !useBias && unitForgetBias != null && unitForgetBias && !fault(3))
                    unitForgetBias = false;
            }
            Initializer kernelInit = r.nextDouble() < 0.15 ? pick(r, Initializer.values()) : null;
            Initializer recurrentInit = r.nextDouble() < 0.15 ? pick(r, Initializer.values()) : null;
            Initializer biasInit = r.nextDouble() < 0.1 ? pick(r, Initializer.values()) : null;
            boolean constant = kernelInit == Initializer.CONSTANT
                    || recurrentInit == Initializer.CONSTANT
                    || biasInit == Initializer.CONSTANT;
            return new RnnAnn(
                    cell,
                    units,
                    act,
                    rec,
                    useBias,
                    bool(),
                    bool(),
                    cell == Cell.GRU ? bool() : null,
                    unitForgetBias,
                    kernelInit,
                    recurrentInit,
                    biasInit,
                    initValue(constant));
        }

        private ActivationType cellFunction() {
            if (fault(1)) return ActivationType.SOFTMAX;
            if (r.nextDouble() < 0.05 && (inferenceOnly || fault(2))) return ActivationType.BINARY_STEP;
            return pick(r, CELL_FUNCTIONS);
        }

        EmbAnn embedding() {
            int inputDim = fault(0.5) ? pick(r, new int[] {0, -3}) : 1 + r.nextInt(10);
            int outputDim = fault(0.5) ? 0 : 1 + r.nextInt(4);
            Initializer init = r.nextDouble() < 0.2 ? pick(r, Initializer.values()) : null;
            return new EmbAnn(inputDim, outputDim, init, initValue(init == Initializer.CONSTANT));
        }

        ActAnn activation(int width) {
            ActivationType type;
            do {
                type = pick(r, ActivationType.values());
            } while (!fault(1) && !fine(type, width));
            if (width == 1 && fault(0.5)) type = ActivationType.SOFTMAX; // over one unit, filter or feature
            Double alpha = null;
            if (hostile()) alpha = pick(r, HOSTILE_ALPHAS);
            else if (fault(1)) alpha = pick(r, BAD_ALPHAS);
            else if (r.nextDouble() < 0.3) alpha = pick(r, GOOD_ALPHAS);
            return new ActAnn(type, alpha);
        }

        private boolean fine(ActivationType type, int width) {
            return switch (type) {
                case BINARY_STEP -> inferenceOnly;
                case SOFTMAX -> width > 1;
                default -> true;
            };
        }

        PReluAnn pRelu() {
            Initializer init = r.nextBoolean()
                    ? null
                    : pick(r, new Initializer[] {
                        Initializer.ZEROS, Initializer.CONSTANT, Initializer.RANDOM_UNIFORM, Initializer.GLOROT_UNIFORM
                    });
            Float value = init == Initializer.CONSTANT ? (fault(1) ? Float.NaN : 0.25f) : null;
            return new PReluAnn(init, value);
        }

        /** Pieces dividing {@code width} (1 included, a no-op with a warning), or with a fault, ones that do not. */
        MaxoutAnn maxout(int width) {
            if (fault(1)) return new MaxoutAnn(r.nextBoolean() ? pick(r, new int[] {0, -2}) : width + 1);
            List<Integer> divisors = new ArrayList<>();
            for (int d = 1; d <= width; d++) if (width % d == 0) divisors.add(d);
            return new MaxoutAnn(divisors.get(r.nextInt(divisors.size())));
        }

        DropAnn dropout() {
            if (hostile()) return new DropAnn(pick(r, HOSTILE_RATES));
            return new DropAnn(fault(1) ? pick(r, BAD_RATES) : pick(r, GOOD_RATES));
        }
    }

    /** Field names: {@code f<i>} mostly, sometimes names the generated code also uses, sometimes clashing pairs. */
    private static final class Names {
        final SplittableRandom r;
        final Set<String> used = new HashSet<>();
        final String[] clash;
        int clashNext;

        Names(SplittableRandom r, boolean clashes) {
            this.r = r;
            this.clash = clashes ? pick(r, CLASHING_NAMES) : null;
        }

        String next(int i, List<Ann> anns) {
            if (clash != null && clashNext < 2 && anns.stream().anyMatch(a -> a instanceof DenseAnn)) {
                return take(clash[clashNext++]);
            }
            if (r.nextDouble() < 0.1) {
                String n = pick(r, ODD_NAMES);
                if (!used.contains(n) && (clash == null || !Arrays.asList(clash).contains(n))) return take(n);
            }
            return take("f" + i);
        }

        private String take(String n) {
            used.add(n);
            return n;
        }
    }

    private static String source(
            String simpleName,
            int[] input,
            LossFunction loss,
            boolean lossWritten,
            boolean inferenceOnly,
            ClassShape shape,
            List<Field> fields) {
        StringBuilder sb = new StringBuilder(
                "package fuzz;\n\nimport io.nerva.annotations.*;\nimport io.nerva.runtime.Layer;\n\n");
        List<String> args = new ArrayList<>();
        args.add(
                "input = {" + Arrays.stream(input).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + "}");
        if (lossWritten) args.add("loss = LossFunction." + loss);
        if (inferenceOnly) args.add("inferenceOnly = true");
        sb.append("@Network(").append(String.join(", ", args)).append(")\n");
        sb.append(
                        switch (shape) {
                            case CONCRETE -> "public class ";
                            case FINAL -> "public final class ";
                            default -> "public abstract class ";
                        })
                .append(simpleName)
                .append(shape == ClassShape.GENERIC ? "<T>" : "")
                .append(" {\n");
        for (Field f : fields) sb.append("    ").append(f.text()).append('\n');
        if (shape == ClassShape.CTOR_WITH_PARAM)
            sb.append("    public ").append(simpleName).append("(int size) {}\n");
        if (shape == ClassShape.PRIVATE_CTOR)
            sb.append("    private ").append(simpleName).append("() {}\n");
        sb.append("}\n");
        return sb.toString();
    }

    // ---- the prediction ----------------------------------------------------------------------

    /** What one layer field does to its input: its errors (none: the layer is valid) or its output and parameters. */
    record Step(
            List<String> faults,
            int[] out,
            String type,
            ActivationType act,
            long params,
            long views,
            boolean trainingDiffers,
            String noGradient,
            int vocabulary) {
        static Step fail(List<String> faults) {
            return new Step(faults, null, null, null, 0, 0, false, null, 0);
        }
    }

    /** Predicts from the declaration alone, following the README's catalogue and the annotations' contract. */
    static Prediction predict(Net n) {
        List<String> faults = new ArrayList<>();
        List<String> uncertain = new ArrayList<>();
        switch (n.classShape()) {
            case FINAL -> faults.add("is final");
            case GENERIC -> faults.add("is generic");
            case CTOR_WITH_PARAM, PRIVATE_CTOR -> faults.add("needs a non-private constructor without parameters");
            default -> {}
        }
        int[] in = n.input();
        boolean inputOk = false;
        if (in.length == 0) {
            faults.add("@Network needs the shape of one input sample");
        } else if (in.length > 3) {
            faults.add("has " + in.length + " dimensions; expected 1 ({features}), 2 ({timesteps, features}) or 3");
        } else if (Arrays.stream(in).anyMatch(d -> d <= 0)) {
            faults.add("every dimension must be positive");
        } else {
            inputOk = true;
        }

        List<Field> layers = n.layerFields();
        List<String> names = new ArrayList<>(), types = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        List<Long> layerParams = new ArrayList<>(), layerViews = new ArrayList<>();
        List<ActivationType> acts = new ArrayList<>();
        List<String> noGradient = new ArrayList<>();
        long params = 0;
        boolean trainingDiffers = false;
        int vocabulary = 0;
        boolean chainMayStop = false;
        if (layers.isEmpty()) {
            faults.add("annotate fields of type Layer with layer annotations (@Dense, @Activation, @Dropout, @Flatten");
        } else if (inputOk) {
            int[] shape = in.clone();
            String source = "the network input";
            for (Field f : layers) {
                List<String> here = new ArrayList<>();
                if (!f.type().equals("Layer"))
                    here.add(f.name() + ": a layer field must have type io.nerva.runtime.Layer");
                for (String m : List.of("private", "final", "static")) {
                    if ((" " + f.modifiers()).contains(" " + m + " "))
                        here.add(f.name() + ": a layer field cannot be " + m);
                }
                int count = f.annotations().size();
                boolean fusable = f.get(DenseAnn.class) != null || f.get(ConvAnn.class) != null;
                if (count > 1 && !(count == 2 && f.get(ActAnn.class) != null && fusable)) {
                    here.add(f.name() + " has " + count + " layer annotations");
                }
                if (!here.isEmpty()) {
                    if (chainMayStop) uncertain.add(here + ", unless checking stopped before this field");
                    else faults.addAll(here);
                    break;
                }
                int undecided = uncertain.size();
                Step s = step(f, shape, source, names.isEmpty(), uncertain);
                if (!s.faults().isEmpty()) {
                    if (chainMayStop) {
                        uncertain.add(f.name() + ": " + s.faults() + ", unless checking stopped before this layer");
                    } else {
                        faults.addAll(s.faults());
                    }
                    break;
                }
                // a value the contract does not decide, on a layer whose error would end shape inference
                // (BatchNorm): the errors of later layers and of the whole network are then undecided too
                if (uncertain.size() > undecided && f.get(BnAnn.class) != null) chainMayStop = true;
                names.add(f.name());
                types.add(s.type());
                shapes.add(s.out());
                acts.add(s.act());
                layerParams.add(s.params());
                layerViews.add(s.views());
                params += s.params();
                trainingDiffers |= s.trainingDiffers();
                if (s.noGradient() != null) noGradient.add(s.noGradient());
                if (s.vocabulary() > 0) vocabulary = s.vocabulary();
                shape = s.out();
                source = f.name();
            }
        }
        ActivationType outputAct = null;
        if (faults.isEmpty() && !shapes.isEmpty() && shapes.size() == layers.size()) {
            List<String> late = new ArrayList<>();
            if (!n.inferenceOnly()) late.addAll(noGradient);
            outputAct = acts.getLast() == null ? ActivationType.LINEAR : acts.getLast();
            int units = Arrays.stream(shapes.getLast()).reduce(1, (a, b) -> a * b);
            String loss = n.loss().name();
            switch (n.loss()) {
                case CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY -> {
                    if (units < 2) late.add(loss + " needs 2 or more output units");
                    else if (outputAct != ActivationType.SOFTMAX) late.add(loss + " expects class probabilities");
                }
                case BINARY_CROSSENTROPY -> {
                    if (outputAct != ActivationType.SIGMOID)
                        late.add(loss + " expects probabilities from a SIGMOID output");
                }
                case BINARY_CROSSENTROPY_FROM_LOGITS -> {
                    if (outputAct != ActivationType.LINEAR) late.add(loss + " expects raw logits");
                }
                case CATEGORICAL_CROSSENTROPY_FROM_LOGITS -> {
                    if (units < 2) late.add(loss + " needs 2 or more output units");
                    else if (outputAct != ActivationType.LINEAR) late.add(loss + " expects raw logits");
                }
                default -> {}
            }
            if (chainMayStop) {
                if (!late.isEmpty()) uncertain.add(late + ", unless checking stopped before the whole-network rules");
            } else {
                faults.addAll(late);
            }
        }
        if (faults.isEmpty() && hasClashingConstants(layers)) {
            uncertain.add(
                    "layer names " + layers.stream().map(Field::name).toList() + " differ only in case or underscores");
        }
        boolean isUncertain = faults.isEmpty() && !uncertain.isEmpty();
        double[] bounds = faults.isEmpty() && shapes.size() == layers.size() ? bounds(layers, in) : new double[] {0, 0};
        boolean finite = bounds[0] < 1e30 && bounds[1] < 1e30 && !isUncertain;
        return new Prediction(
                List.copyOf(faults),
                isUncertain,
                String.join("; ", uncertain),
                names,
                types,
                shapes,
                layerParams,
                layerViews,
                params,
                outputAct,
                trainingDiffers,
                vocabulary,
                finite,
                bounds[0],
                bounds[1]);
    }

    /**
     * One layer on an input of shape {@code in} (from {@code source}): the errors the catalogue
     * requires of it, or its output. Errors that the contract does not decide go to {@code uncertain}.
     */
    static Step step(Field f, int[] in, String source, boolean first, List<String> uncertain) {
        List<String> here = new ArrayList<>();
        String name = f.name();
        ActAnn act = f.get(ActAnn.class);
        Ann primary = f.annotations().stream()
                .filter(a -> !(a instanceof ActAnn))
                .findFirst()
                .orElse(act);
        int last = in[in.length - 1];
        int size = Arrays.stream(in).reduce(1, (a, b) -> a * b);
        return switch (primary) {
            case DenseAnn d -> {
                if (d.units() <= 0) here.add(name + ": Dense needs a positive number of units, got " + d.units());
                if (in.length == 3)
                    here.add(name + ": Dense needs a flat input or a sequence but receives " + dims(in));
                initValueFault(name, d.initValue(), here);
                if (act != null) activationFaults(name, act, Math.max(d.units(), 1), here);
                if (!here.isEmpty()) yield Step.fail(here);
                int[] out = in.clone(); // on a sequence, every step
                out[out.length - 1] = d.units();
                long p = (long) last * d.units() + (d.bias() ? d.units() : 0);
                yield new Step(
                        here,
                        out,
                        "Dense",
                        act == null ? ActivationType.LINEAR : act.type(),
                        p,
                        p,
                        false,
                        noGradient(name, act),
                        0);
            }
            case ConvAnn c -> {
                if (c.filters() <= 0)
                    here.add(name + ": Conv2D needs a positive number of filters, got " + c.filters());
                int[] k = pairFaults(name, "kernel", c.kernelOrDefault(), here);
                int[] s = pairFaults(name, "strides", c.stridesOrDefault(), here);
                int[] d = pairFaults(name, "dilation", c.dilationOrDefault(), here);
                requireImage(name, "Conv2D", in, here);
                initValueFault(name, c.initValue(), here);
                // SOFTMAX fused with a convolution acts over each pixel's filters, as an Activation layer after it
                if (act != null && c.filters() > 0) activationFaults(name, act, c.filters(), here);
                if (!here.isEmpty()) yield Step.fail(here);
                int[] out = window(in, k, s, d, c.paddingOrDefault(), c.filters());
                if (out == null) {
                    here.add(name + ": kernel " + k[0] + "x" + k[1]);
                    here.add("does not fit its input " + dims(in));
                    yield Step.fail(here);
                }
                long p = (long) k[0] * k[1] * in[2] * c.filters() + (c.bias() ? c.filters() : 0);
                yield new Step(
                        here,
                        out,
                        "Conv2D",
                        act == null ? ActivationType.LINEAR : act.type(),
                        p,
                        p,
                        false,
                        noGradient(name, act),
                        0);
            }
            case PoolAnn pool -> {
                int[] k = pairFaults(name, "size", pool.sizeOrDefault(), here);
                int[] s = pool.strides() == null || pool.strides().length == 0
                        ? k
                        : pairFaults(name, "strides", pool.strides(), here);
                requireImage(name, pool.kind(), in, here);
                if (!here.isEmpty() || k == null || s == null) yield Step.fail(here);
                int[] out = window(in, k, s, new int[] {1, 1}, pool.paddingOrDefault(), in[2]);
                if (out == null) {
                    here.add(name + ": pool size " + k[0] + "x" + k[1] + " does not fit its input " + dims(in));
                    yield Step.fail(here);
                }
                yield new Step(here, out, pool.max() ? "MaxPooling2D" : "AveragePooling2D", null, 0, 0, false, null, 0);
            }
            case GlobalPoolAnn pool -> {
                requireImage(name, pool.kind(), in, here);
                if (!here.isEmpty()) yield Step.fail(here);
                yield new Step(
                        here,
                        new int[] {in[2]},
                        pool.max() ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D",
                        null,
                        0,
                        0,
                        false,
                        null,
                        0);
            }
            case BnAnn bn -> {
                if (bn.momentum() != null) {
                    double m = bn.momentum();
                    if (!(m >= 0 && m < 1)) here.add(name + ": BatchNorm momentum must be in [0, 1), got " + m);
                    else if ((float) m >= 1f)
                        uncertain.add(name + ": momentum " + m + " is below 1 but rounds to 1.0f");
                }
                if (bn.epsilon() != null) {
                    double e = bn.epsilon();
                    if (!(e > 0 && e < Double.POSITIVE_INFINITY))
                        here.add(name + ": BatchNorm epsilon must be a positive number, got " + e);
                    else if ((float) e == 0f)
                        uncertain.add(name + ": epsilon " + e + " is positive but rounds to 0.0f");
                }
                if (!here.isEmpty()) yield Step.fail(here);
                yield new Step(here, in.clone(), "BatchNormalization", null, 4L * last, 2L * last, true, null, 0);
            }
            case RnnAnn rnn -> {
                String kind = rnn.cell().kind;
                if (rnn.units() <= 0)
                    here.add(name + ": " + kind + " needs a positive number of units, got " + rnn.units());
                if (in.length != 2) {
                    here.add(name + ": " + kind + " needs a sequence input (timesteps, features) but receives "
                            + dims(in));
                }
                if (rnn.act() == ActivationType.SOFTMAX) {
                    here.add(name + ": activation = SOFTMAX is not an element-wise function, so it cannot act inside a "
                            + kind + " cell");
                }
                if (rnn.recurrentActivation() == ActivationType.SOFTMAX) {
                    here.add(name
                            + ": recurrentActivation = SOFTMAX is not an element-wise function, so it cannot act inside a "
                            + kind + " cell");
                }
                if (rnn.cell() == Cell.LSTM
                        && Boolean.FALSE.equals(rnn.useBias())
                        && Boolean.TRUE.equals(rnn.unitForgetBias())) {
                    here.add(
                            name
                                    + ": unitForgetBias sets the forget gate's bias, but useBias = false leaves the LSTM without a bias");
                }
                initValueFault(name, rnn.initValue(), here);
                if (!here.isEmpty()) yield Step.fail(here);
                int u = rnn.units(), features = in[1], g = rnn.cell().gates * u;
                long bias = !rnn.bias() ? 0 : rnn.cell() == Cell.GRU && rnn.resetAfterOrDefault() ? 2L * g : g;
                long p = (long) g * (features + u) + bias;
                int[] out = rnn.sequences() ? new int[] {in[0], u} : new int[] {u};
                boolean binary = rnn.act() == ActivationType.BINARY_STEP || rnn.recAct() == ActivationType.BINARY_STEP;
                yield new Step(
                        here,
                        out,
                        kind,
                        null,
                        p,
                        (long) features * g + bias,
                        false,
                        binary ? name + ": BINARY_STEP inside a " + kind + " cell has no gradient" : null,
                        0);
            }
            case EmbAnn e -> {
                if (!first) here.add(name + ": Embedding looks up token ids, so it must be the first layer");
                else if (in.length != 1)
                    here.add(name + ": Embedding needs {timesteps} token ids per sample but the network input is "
                            + dims(in));
                if (e.inputDim() <= 0)
                    here.add(name + ": Embedding inputDim is the vocabulary size and must be positive, got "
                            + e.inputDim());
                if (e.outputDim() <= 0) here.add(name + ": Embedding outputDim must be positive, got " + e.outputDim());
                initValueFault(name, e.initValue(), here);
                if (!here.isEmpty()) yield Step.fail(here);
                long p = (long) e.inputDim() * e.outputDim();
                yield new Step(
                        here, new int[] {in[0], e.outputDim()}, "Embedding", null, p, p, false, null, e.inputDim());
            }
            case ActAnn a -> {
                activationFaults(name, a, last, here); // over the last axis, whatever the rank
                if (!here.isEmpty()) yield Step.fail(here);
                yield new Step(here, in.clone(), "Activation", a.type(), 0, 0, false, noGradient(name, a), 0);
            }
            case DropAnn drop -> {
                // the catalogue: "got 0.999999999999 (1.0 as a float)" is an error too
                if (!(drop.rate() >= 0 && (float) drop.rate() < 1f)) {
                    here.add(name + ": dropout rate must be in [0, 1), got " + drop.rate());
                }
                if (!here.isEmpty()) yield Step.fail(here);
                yield new Step(here, in.clone(), "Dropout", null, 0, 0, true, null, 0);
            }
            case FlatAnn flat -> new Step(here, new int[] {size}, "Flatten", null, 0, 0, false, null, 0);
            case PReluAnn p -> {
                initValueFault(name, p.initValue(), here);
                if (!here.isEmpty()) yield Step.fail(here);
                yield new Step(here, in.clone(), "PReLU", null, size, size, false, null, 0); // alpha is its kernel view
            }
            case MaxoutAnn m -> {
                if (m.pieces() < 1) here.add(name + ": Maxout needs at least 1 piece per unit, got " + m.pieces());
                else if (last % m.pieces() != 0) {
                    here.add(name + ": Maxout groups the last axis into pieces of " + m.pieces()
                            + ", but its input's last axis has " + last + " values");
                }
                if (!here.isEmpty()) yield Step.fail(here);
                int[] out = in.clone();
                out[out.length - 1] = last / m.pieces();
                yield new Step(here, out, "Maxout", null, 0, 0, false, null, 0);
            }
        };
    }

    private static String noGradient(String name, ActAnn a) {
        return a != null && a.type() == ActivationType.BINARY_STEP ? name + ": BINARY_STEP has no gradient" : null;
    }

    private static void initValueFault(String name, Float value, List<String> here) {
        if (value != null && !Float.isFinite(value))
            here.add(name + ": initValue must be a finite float, got " + (double) value);
    }

    private static void requireImage(String name, String kind, int[] in, List<String> here) {
        if (in.length != 3)
            here.add(name + ": " + kind + " needs an image input (height, width, channels) but receives " + dims(in));
    }

    /** A kernel/size/strides/dilation attribute as {height, width}; null (and its error) when malformed. */
    private static int[] pairFaults(String name, String attribute, int[] v, List<String> here) {
        if (v.length != 1 && v.length != 2) {
            here.add(name + ": " + attribute + " = " + braces(v) + " has " + v.length + " values");
            return null;
        }
        if (Arrays.stream(v).anyMatch(x -> x <= 0)) {
            here.add(name + ": " + attribute + " = " + braces(v) + " must be positive");
            return null;
        }
        return pairOf(v);
    }

    static int[] pairOf(int[] v) {
        if (v.length == 1 && v[0] > 0) return new int[] {v[0], v[0]};
        if (v.length == 2 && v[0] > 0 && v[1] > 0) return v.clone();
        return null;
    }

    /** Keras' output size along one axis of a VALID window: floor((in − dil·(k − 1) − 1)/s) + 1, below 1 when it does not fit. */
    static long validOut(int in, int k, int s, int d) {
        long span = (long) d * (k - 1) + 1;
        return in < span ? 0 : (in - span) / s + 1;
    }

    /** The output {@code oh x ow x channels} of a window over image {@code in}, or null when a VALID window does not fit. */
    private static int[] window(int[] in, int[] k, int[] s, int[] d, Padding padding, int channels) {
        long oh, ow;
        if (padding == Padding.SAME) {
            oh = (in[0] + (long) s[0] - 1) / s[0]; // ceil(in / s)
            ow = (in[1] + (long) s[1] - 1) / s[1];
        } else {
            oh = validOut(in[0], k[0], s[0], d[0]);
            ow = validOut(in[1], k[1], s[1], d[1]);
        }
        return oh < 1 || ow < 1 ? null : new int[] {(int) oh, (int) ow, channels};
    }

    private static void activationFaults(String name, ActAnn a, int lastAxis, List<String> here) {
        if (a.usesAlpha() && a.alpha() != null && !Double.isNaN(a.alpha())) {
            // the catalogue: an alpha beyond float range (1.0E39) is an error too
            if (a.alpha() < 0 || Float.isInfinite((float) (double) a.alpha())) {
                here.add(name + ": alpha of " + a.type() + " must be a finite number ≥ 0, got " + a.alpha());
                return;
            }
        }
        if (a.type() == ActivationType.SOFTMAX && lastAxis == 1) {
            here.add(name + ": softmax over a single unit always outputs 1");
        }
    }

    /** Two layer fields whose names only differ in case or underscores. */
    private static boolean hasClashingConstants(List<Field> layers) {
        Set<String> seen = new HashSet<>();
        for (Field f : layers) {
            if (!seen.add(f.name().replace("_", "").toUpperCase(java.util.Locale.ROOT))) return true;
        }
        return false;
    }

    // ---- magnitude bounds --------------------------------------------------------------------

    /** Rows of the training pass FuzzTest runs at most. */
    private static final int ROWS = 3;

    /**
     * Crude upper bounds on |activation| through the forward pass (inputs in [-1, 1], or token ids;
     * up to {@link #ROWS} rows, training dropout and batch statistics included) and on |gradient|
     * through the backward pass (output gradient in [-1, 1], the output activation's derivative
     * taken as at least 1 since the backward pass may start at the logits). Finite outputs and
     * gradients are only demanded when both stay far below float's range; this excludes e.g.
     * EXPONENTIAL after EXPONENTIAL, not the ordinary stacks.
     */
    static double[] bounds(List<Field> layers, int[] input) {
        double b = 1;
        double forward = 1;
        int[] shape = input.clone();
        List<java.util.function.DoubleUnaryOperator> backward = new ArrayList<>(); // gradient at output → at input
        double[] worst = {1};
        for (int li = 0; li < layers.size(); li++) {
            Field f = layers.get(li);
            boolean isLast = li == layers.size() - 1;
            Step s = step(f, shape, "", li == 0, new ArrayList<>());
            int last = shape[shape.length - 1];
            int size = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
            int positions = size / last; // weight sharing: time steps or pixels
            ActAnn a = f.get(ActAnn.class);
            Ann primary = f.annotations().stream()
                    .filter(x -> !(x instanceof ActAnn))
                    .findFirst()
                    .orElse(a);
            final double in = b;
            switch (primary) {
                case DenseAnn d -> {
                    double w = weightBound(d.kernel(), d.value(), last, d.units());
                    double bias = d.bias() ? weightBound(d.biasInitOrDefault(), d.value(), last, d.units()) : 0;
                    double z = in * last * w + bias;
                    forward = Math.max(forward, z);
                    b = a == null ? z : activationBound(a, z);
                    double dAct = a == null ? 1 : outputDerivative(a, z, isLast);
                    int units = d.units(), rep = positions;
                    backward.add(g -> {
                        double gz = g * dAct;
                        note(worst, ROWS * rep * Math.max(in, 1) * gz);
                        return units * w * gz;
                    });
                }
                case ConvAnn c -> {
                    int[] k = pairOf(c.kernelOrDefault());
                    int patch = k[0] * k[1] * shape[2];
                    double w = weightBound(c.kernel0(), c.value(), patch, k[0] * k[1] * c.filters());
                    double bias = c.bias() ? weightBound(c.bias0(), c.value(), patch, k[0] * k[1] * c.filters()) : 0;
                    double z = in * patch * w + bias;
                    forward = Math.max(forward, z);
                    b = a == null ? z : activationBound(a, z);
                    double dAct = a == null ? 1 : outputDerivative(a, z, isLast);
                    int outPositions = s.out()[0] * s.out()[1], taps = k[0] * k[1] * c.filters();
                    backward.add(g -> {
                        double gz = g * dAct;
                        note(worst, ROWS * outPositions * Math.max(in, 1) * gz);
                        return taps * w * gz; // each input cell meets each tap of each filter at most once
                    });
                }
                case PoolAnn p -> {
                    int[] k = pairOf(p.sizeOrDefault());
                    int[] st = p.strides() == null || p.strides().length == 0 ? k : pairOf(p.strides());
                    double overlap = Math.ceil((double) k[0] / st[0]) * Math.ceil((double) k[1] / st[1]);
                    backward.add(g -> g * overlap); // windows covering one cell
                }
                case GlobalPoolAnn p -> backward.add(g -> g);
                case BnAnn bn -> {
                    // training: |x̂| ≤ √(N − 1) over the N values of a channel in the batch; inference: moving mean 0,
                    // variance 1
                    int n = ROWS * positions;
                    double eps = (float) bn.eps();
                    b = Math.max(in, Math.sqrt(n));
                    double inv = 1 / Math.sqrt(eps);
                    backward.add(g -> {
                        note(worst, n * g * Math.sqrt(n));
                        return inv * g * (2 + Math.sqrt(n));
                    });
                }
                case RnnAnn rnn -> b = recurrentBounds(rnn, shape, in, backward, worst);
                case EmbAnn e -> {
                    b = weightBound(e.initOrDefault(), e.value(), e.inputDim(), e.outputDim());
                    int steps = shape[0];
                    backward.add(g -> {
                        note(worst, ROWS * steps * g); // one id may repeat at every step of every row
                        return 0;
                    });
                }
                case ActAnn act -> {
                    b = activationBound(act, in);
                    double dAct = outputDerivative(act, in, isLast);
                    backward.add(g -> g * dAct);
                }
                case DropAnn drop -> {
                    double scale = 1 / (1 - Math.min((float) drop.rate(), 0.9999f));
                    b = in * scale;
                    backward.add(g -> g * scale);
                }
                case FlatAnn flat -> backward.add(g -> g);
                case PReluAnn p -> {
                    double alpha = Math.max(1, weightBound(p.initOrDefault(), p.value(), size, size));
                    b = in * alpha;
                    backward.add(g -> {
                        note(worst, ROWS * Math.max(in, 1) * g); // dAlpha sums dy·x over the rows
                        return g * alpha;
                    });
                }
                case MaxoutAnn m -> backward.add(g -> g);
            }
            forward = Math.max(forward, b);
            shape = s.out();
        }
        double grad = 1;
        for (int i = backward.size() - 1; i >= 0; i--) {
            grad = backward.get(i).applyAsDouble(grad);
            note(worst, grad);
        }
        return new double[] {forward, worst[0]};
    }

    private static void note(double[] worst, double v) {
        worst[0] = Double.isNaN(v) ? Double.POSITIVE_INFINITY : Math.max(worst[0], v);
    }

    /** The last layer's activation may be skipped by a backward pass that starts at the logits. */
    private static double outputDerivative(ActAnn a, double z, boolean isLast) {
        double d = derivativeBound(a, z);
        return isLast ? Math.max(1, d) : d;
    }

    /**
     * A SimpleRNN, LSTM or GRU over {@code shape = {T, F}} with inputs bounded by {@code in}: iterates
     * the bounds of states, cells and gates through the T steps; the backward pass through time
     * carries the bound of the state's gradient (and the LSTM cell's) back step by step.
     */
    private static double recurrentBounds(
            RnnAnn rnn, int[] shape, double in, List<java.util.function.DoubleUnaryOperator> backward, double[] worst) {
        int steps = shape[0], features = shape[1], u = rnn.units(), gates = rnn.cell().gates * u;
        float v = rnn.value();
        Initializer kInit = rnn.kernelInit() == null ? Initializer.GLOROT_UNIFORM : rnn.kernelInit();
        Initializer rInit = rnn.recurrentInit() == null ? Initializer.ORTHOGONAL : rnn.recurrentInit();
        Initializer bInit = rnn.biasInit() == null ? Initializer.ZEROS : rnn.biasInit();
        double wk = weightBound(kInit, v, features, gates);
        double wr = weightBound(rInit, v, u, gates);
        double wb = rnn.bias() ? weightBound(bInit, v, features, gates) + (rnn.forgetBias() ? 1 : 0) : 0;
        boolean twoBiases = rnn.cell() == Cell.GRU && rnn.resetAfterOrDefault() && rnn.bias();
        ActAnn act = new ActAnn(rnn.act(), null), rec = new ActAnn(rnn.recAct(), null);
        double h = 0, c = 0, zmax = 0, gateMax = 0, candMax = 0, hmax = 0, cmax = 0;
        for (int t = 0; t < steps; t++) {
            double z = in * features * wk + h * u * wr + wb * (twoBiases ? 2 : 1);
            zmax = Math.max(zmax, z);
            switch (rnn.cell()) {
                case SIMPLE_RNN -> h = activationBound(act, z);
                case LSTM -> {
                    double gate = activationBound(rec, z), cand = activationBound(act, z);
                    gateMax = Math.max(gateMax, gate);
                    candMax = Math.max(candMax, cand);
                    c = gate * c + gate * cand;
                    cmax = Math.max(cmax, c);
                    h = gate * activationBound(act, c);
                    candMax = Math.max(candMax, activationBound(act, c));
                }
                case GRU -> {
                    double gate = activationBound(rec, z);
                    double zc = (1 + gate) * z; // the reset gate scales the recurrent part
                    zmax = Math.max(zmax, zc);
                    double cand = activationBound(act, zc);
                    gateMax = Math.max(gateMax, gate);
                    candMax = Math.max(candMax, cand);
                    h = gate * h + (1 + gate) * cand;
                }
            }
            hmax = Math.max(hmax, h);
        }
        double dAct = Math.max(derivativeBound(act, zmax), derivativeBound(act, cmax));
        double dRec = derivativeBound(rec, zmax);
        double gMax = gateMax, aMax = candMax, cMax = cmax, hMax = hmax, zMax = zmax;
        boolean sequences = rnn.sequences();
        backward.add(g -> {
            double gh = 0, gc = 0, dz = 0;
            for (int t = steps - 1; t >= 0; t--) {
                if (sequences || t == steps - 1) gh += g;
                double dzStep, ghPrev;
                switch (rnn.cell()) {
                    case SIMPLE_RNN -> {
                        dzStep = gh * dAct;
                        ghPrev = u * wr * dzStep;
                    }
                    case LSTM -> {
                        gc = gh * gMax * dAct + gc * gMax;
                        dzStep = Math.max(
                                Math.max(gc * aMax * dRec, gc * cMax * dRec),
                                Math.max(gc * gMax * dAct, gh * aMax * dRec));
                        ghPrev = 4 * u * wr * dzStep;
                    }
                    default -> { // GRU
                        double dCand = gh * (1 + gMax) * dAct;
                        double dGate = gh * (hMax + aMax) * dRec + dCand * (u * wr * hMax + wb) * dRec;
                        dzStep = Math.max(dGate, dCand * (1 + gMax));
                        ghPrev = gh * gMax + 3 * u * wr * dzStep;
                    }
                }
                dz = Math.max(dz, dzStep);
                gh = ghPrev;
            }
            note(worst, ROWS * steps * Math.max(Math.max(in, hMax), 1) * dz * (1 + gMax)); // kernels and biases
            note(worst, Math.max(zMax, cMax)); // forward values inside the cell: pre-activations, LSTM cell state
            return gates * wk * dz;
        });
        return hmax;
    }

    private static double weightBound(Initializer init, float value, int fanIn, int fanOut) {
        double variance = switch (init) {
            case GLOROT_UNIFORM, GLOROT_NORMAL -> 1.0 / Math.max(1.0, (fanIn + fanOut) / 2.0);
            case HE_UNIFORM, HE_NORMAL -> 2.0 / Math.max(1.0, fanIn);
            case LECUN_UNIFORM, LECUN_NORMAL -> 1.0 / Math.max(1.0, fanIn);
            default -> 0;
        };
        return switch (init) {
            case GLOROT_UNIFORM, HE_UNIFORM, LECUN_UNIFORM -> Math.sqrt(3 * variance);
            case GLOROT_NORMAL, HE_NORMAL, LECUN_NORMAL -> 2.5 * Math.sqrt(variance);
            case ZEROS -> 0;
            case ONES -> 1;
            case CONSTANT -> Math.abs(value);
            case ORTHOGONAL -> 1; // entries of an orthonormal matrix
            case RANDOM_UNIFORM -> 0.05;
        };
    }

    private static double activationBound(ActAnn a, double z) {
        double alpha = a.effectiveAlpha();
        return switch (a.type()) {
            case LINEAR, RELU, GELU, GELU_EXACT, SWISH -> z;
            case LEAKY_RELU -> Math.max(1, alpha) * z;
            case ELU -> Math.max(z, alpha);
            case SELU -> 1.0507 * Math.max(z, 1.6733);
            case SOFTPLUS -> z + 1;
            case EXPONENTIAL -> Math.exp(z);
            case SIGMOID, TANH, SOFTSIGN, HARD_SIGMOID, BINARY_STEP, SOFTMAX -> 1;
            case ARCTAN -> 2;
        };
    }

    private static double derivativeBound(ActAnn a, double z) {
        double alpha = a.effectiveAlpha();
        return switch (a.type()) {
            case LINEAR, RELU, TANH, SOFTPLUS, SOFTSIGN, ARCTAN -> 1;
            case SIGMOID -> 0.25;
            case HARD_SIGMOID -> 0.2; // Keras 3 uses 1/6, older definitions 0.2
            case LEAKY_RELU, ELU -> Math.max(1, alpha);
            case SELU -> 1.0507 * 1.6733;
            case GELU, GELU_EXACT, SWISH -> 1.2;
            case EXPONENTIAL -> Math.exp(z);
            case BINARY_STEP -> 0;
            case SOFTMAX -> 2;
        };
    }

    // ---- small helpers -----------------------------------------------------------------------

    static String dims(int[] shape) {
        return Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    }

    static String braces(int[] v) {
        return Arrays.stream(v).mapToObj(Integer::toString).collect(Collectors.joining(", ", "{", "}"));
    }

    /** {@code 3} for one value, {@code {3, 1}} otherwise, as a user writes an {@code int[]} attribute. */
    static String intsLiteral(int[] v) {
        return v.length == 1 ? Integer.toString(v[0]) : braces(v);
    }

    static String doubleLiteral(double v) {
        if (Double.isNaN(v)) return "Double.NaN";
        if (v == Double.POSITIVE_INFINITY) return "Double.POSITIVE_INFINITY";
        if (v == Double.NEGATIVE_INFINITY) return "Double.NEGATIVE_INFINITY";
        return Double.toString(v);
    }

    static String floatLiteral(float v) {
        if (Float.isNaN(v)) return "Float.NaN";
        if (v == Float.POSITIVE_INFINITY) return "Float.POSITIVE_INFINITY";
        if (v == Float.NEGATIVE_INFINITY) return "Float.NEGATIVE_INFINITY";
        return v + "f";
    }

    private static <T> T pick(SplittableRandom r, T[] a) {
        return a[r.nextInt(a.length)];
    }

    private static int pick(SplittableRandom r, int[] a) {
        return a[r.nextInt(a.length)];
    }

    private static double pick(SplittableRandom r, double[] a) {
        return a[r.nextInt(a.length)];
    }

    private static float pick(SplittableRandom r, float[] a) {
        return a[r.nextInt(a.length)];
    }
}
