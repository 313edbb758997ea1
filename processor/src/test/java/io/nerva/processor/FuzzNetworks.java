package io.nerva.processor;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.Initializer;
import io.nerva.annotations.LossFunction;

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
 * <p>The prediction is written from the annotations' contract and the README, not from the
 * checker's code: where the contract does not decide (an alpha that is finite as a double but
 * overflows a float, a non-finite {@code initValue}, two field names that differ only in case
 * or underscores), the network is marked {@link Prediction#uncertain()}: an error is then
 * acceptable, but if the processor generates a model it must compile and run.
 */
final class FuzzNetworks {
    private FuzzNetworks() {}

    // ---- the generated declaration ---------------------------------------------------------

    sealed interface Ann {
        String text();
    }

    /** {@code useBias}, {@code kernelInit}, {@code biasInit}, {@code initValue}: null = not written. */
    record DenseAnn(int units, Boolean useBias, Initializer kernelInit, Initializer biasInit, Float initValue) implements Ann {
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

    /** A field: modifiers as written (e.g. {@code "private "}), its type, and its layer annotations (none = plain field). */
    record Field(String name, String modifiers, String type, List<Ann> annotations) {
        boolean isLayer() {
            return !annotations.isEmpty();
        }

        <T extends Ann> T get(Class<T> kind) {
            return annotations.stream().filter(kind::isInstance).map(kind::cast).findFirst().orElse(null);
        }

        String text() {
            String anns = annotations.stream().map(Ann::text).collect(Collectors.joining(" "));
            return (anns.isEmpty() ? "" : anns + " ") + modifiers + type + " " + name + ";";
        }
    }

    /** Class-level oddities: at most one per network. */
    enum ClassShape { NORMAL, CONCRETE, FINAL, GENERIC, CTOR_WITH_PARAM, PRIVATE_CTOR }

    record Net(long seed, String simpleName, int[] input, LossFunction loss, boolean lossWritten,
               boolean inferenceOnly, ClassShape classShape, List<Field> fields, String source, Prediction prediction) {
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
     * The remaining fields describe the generated model when the network is valid.
     */
    record Prediction(List<String> faults, boolean uncertain, String uncertainWhy,
                      List<String> layerNames, List<String> layerTypes, List<int[]> layerShapes,
                      long params, ActivationType outputActivation, boolean hasDropout,
                      boolean finiteExpected, double forwardBound, double gradientBound) {
        boolean valid() {
            return faults.isEmpty();
        }

        int[] outputShape() {
            return layerShapes.getLast();
        }
    }

    // ---- generation ------------------------------------------------------------------------

    private static final String[] GOOD_MODIFIERS = {"", "", "", "", "", "", "public ", "protected ", "volatile ", "transient "};
    private static final String[] BAD_MODIFIERS = {"private ", "static ", "final ", "private static "};
    private static final String[] BAD_TYPES = {"Object", "int", "String", "Layer[]", "java.util.List<Layer>"};
    /** Names that are also names in the generated code (locals, parameters, members, buffers). */
    private static final String[] ODD_NAMES = {"input", "output", "w", "g", "ws", "rows", "training", "parameters",
            "layerList", "SUMMARY", "PARAMS", "create", "Buffers", "kernel", "bias", "seed", "capacity", "model",
            "gradWrtLogits", "spec", "rng", "INPUT_SIZE", "inputOut", "$", "_x", "x$y", "größe"};
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

    /**
     * Whether the generator may write values that are legal Java but on the edge of the contract
     * (float-overflowing alpha, dropout rate rounding to 1.0f, non-finite initValue, clashing
     * names). {@code -Dnerva.fuzz.hostile=false} turns them off to look for other bugs while
     * those are known; the other choices of each seed stay the same.
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
                case 1 -> new int[] {4, 4};
                case 2 -> new int[] {0};
                case 3 -> new int[] {-2};
                case 4 -> new int[] {3, 0, 2};
                default -> new int[] {2, 2, 2, 2};
            };
        } else if (r.nextDouble() < 0.6) {
            input = new int[] {1 + r.nextInt(12)};
        } else {
            input = new int[] {1 + r.nextInt(5), 1 + r.nextInt(5), 1 + r.nextInt(3)};
        }
        boolean inferenceOnly = r.nextDouble() < 0.15;
        boolean lossWritten = r.nextDouble() < 0.3;
        LossFunction loss = lossWritten ? pick(r, LossFunction.values()) : LossFunction.UNSPECIFIED;
        ClassShape classShape = ClassShape.NORMAL;
        if (g.fault(0.5)) {
            classShape = pick(r, new ClassShape[] {ClassShape.FINAL, ClassShape.GENERIC, ClassShape.CTOR_WITH_PARAM,
                    ClassShape.PRIVATE_CTOR});
        } else if (r.nextDouble() < 0.1) {
            classShape = ClassShape.CONCRETE;
        }

        // the fields
        int layers = r.nextDouble() < 0.02 ? 0 : 1 + r.nextInt(6);
        Names names = new Names(r, g.fault(0.5) && hostileLiterals);
        List<Field> fields = new ArrayList<>();
        boolean flat = input.length != 3;
        int width = input.length == 0 ? 1 : Arrays.stream(input).reduce(1, (a, b) -> a * b);
        for (int i = 0; i < layers; i++) {
            if (r.nextDouble() < 0.05) {
                fields.add(new Field("spare" + i, "", r.nextBoolean() ? "Layer" : "int", List.of()));
            }
            List<Ann> anns = new ArrayList<>();
            double k = r.nextDouble();
            boolean last = i == layers - 1;
            if (!flat && !g.fault(1)) {
                // an image: keep its shape a while or flatten it
                if (k < 0.45) {
                    anns.add(new FlatAnn());
                    flat = true;
                } else if (k < 0.7) {
                    anns.add(g.activation(false, inferenceOnly, width));
                } else {
                    anns.add(g.dropout());
                }
            } else if (k < 0.5) {
                DenseAnn d = g.dense();
                anns.add(d);
                if (d.units() > 0) width = d.units();
                flat = true;
                if (r.nextDouble() < 0.5) {
                    ActAnn a = g.activation(true, inferenceOnly, width);
                    if (r.nextDouble() < 0.2) anns.addFirst(a); else anns.add(a);
                }
            } else if (k < 0.75) {
                anns.add(g.activation(flat, inferenceOnly, width));
            } else if (k < 0.9) {
                anns.add(g.dropout());
            } else {
                anns.add(new FlatAnn());
                flat = true;
            }
            if (g.fault(1)) {
                // a second layer annotation where it does not belong
                Ann extra = switch (r.nextInt(4)) {
                    case 0 -> new DropAnn(0.5);
                    case 1 -> new FlatAnn();
                    case 2 -> new DenseAnn(3, null, null, null, null);
                    default -> new ActAnn(ActivationType.RELU, null);
                };
                boolean sameKind = anns.stream().anyMatch(a -> a.getClass() == extra.getClass());
                if (!sameKind) anns.add(r.nextInt(anns.size() + 1), extra);
            }
            String modifiers = g.fault(0.5) ? pick(r, BAD_MODIFIERS) : pick(r, GOOD_MODIFIERS);
            String type = g.fault(0.5) ? pick(r, BAD_TYPES) : "Layer";
            fields.add(new Field(names.next(i, anns), modifiers, type, List.copyOf(anns)));
            if (last && r.nextDouble() < 0.05) fields.add(new Field("after", "", "Layer", List.of()));
        }
        String source = source(simpleName, input, loss, lossWritten, inferenceOnly, classShape, fields);
        Net draft = new Net(seed, simpleName, input, loss, lossWritten, inferenceOnly, classShape, List.copyOf(fields), source, null);
        return new Net(seed, simpleName, input, loss, lossWritten, inferenceOnly, classShape, draft.fields(), source, predict(draft));
    }

    /** The random choices, each a mistake with probability {@code p × weight}. */
    private static final class Gen {
        final SplittableRandom r;
        double p;

        Gen(SplittableRandom r) {
            this.r = r;
        }

        boolean fault(double weight) {
            return r.nextDouble() < p * weight;
        }

        boolean hostile() {
            return r.nextDouble() < p * 0.15 && hostileLiterals;
        }

        DenseAnn dense() {
            int units = fault(1) ? pick(r, new int[] {0, -1, -7}) : 1 + r.nextInt(10);
            Boolean useBias = switch (r.nextInt(4)) {
                case 0 -> true;
                case 1 -> false;
                default -> null;
            };
            Initializer kernelInit = r.nextDouble() < 0.3 ? pick(r, Initializer.values()) : null;
            Initializer biasInit = r.nextDouble() < 0.1 ? pick(r, Initializer.values()) : null;
            Float initValue = null;
            if (hostile()) initValue = pick(r, HOSTILE_INIT_VALUES);
            else if (r.nextDouble() < 0.1 || kernelInit == Initializer.CONSTANT) initValue = pick(r, new float[] {0.5f, -0.25f, 0.1f});
            return new DenseAnn(units, useBias, kernelInit, biasInit, initValue);
        }

        ActAnn activation(boolean flat, boolean inferenceOnly, int width) {
            ActivationType type;
            do {
                type = pick(r, ActivationType.values());
            } while (!fault(1) && !fine(type, flat, inferenceOnly, width));
            Double alpha = null;
            if (hostile()) alpha = pick(r, HOSTILE_ALPHAS);
            else if (fault(1)) alpha = pick(r, BAD_ALPHAS);
            else if (r.nextDouble() < 0.3) alpha = pick(r, GOOD_ALPHAS);
            return new ActAnn(type, alpha);
        }

        private static boolean fine(ActivationType type, boolean flat, boolean inferenceOnly, int width) {
            return switch (type) {
                case BINARY_STEP -> inferenceOnly;
                case SOFTMAX -> flat && width > 1;
                default -> true;
            };
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

    private static String source(String simpleName, int[] input, LossFunction loss, boolean lossWritten,
                                 boolean inferenceOnly, ClassShape shape, List<Field> fields) {
        StringBuilder sb = new StringBuilder("package fuzz;\n\nimport io.nerva.annotations.*;\nimport io.nerva.runtime.Layer;\n\n");
        List<String> args = new ArrayList<>();
        args.add("input = {" + Arrays.stream(input).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + "}");
        if (lossWritten) args.add("loss = LossFunction." + loss);
        if (inferenceOnly) args.add("inferenceOnly = true");
        sb.append("@Network(").append(String.join(", ", args)).append(")\n");
        sb.append(switch (shape) {
            case CONCRETE -> "public class ";
            case FINAL -> "public final class ";
            default -> "public abstract class ";
        }).append(simpleName).append(shape == ClassShape.GENERIC ? "<T>" : "").append(" {\n");
        for (Field f : fields) sb.append("    ").append(f.text()).append('\n');
        if (shape == ClassShape.CTOR_WITH_PARAM) sb.append("    public ").append(simpleName).append("(int size) {}\n");
        if (shape == ClassShape.PRIVATE_CTOR) sb.append("    private ").append(simpleName).append("() {}\n");
        sb.append("}\n");
        return sb.toString();
    }

    // ---- the prediction ----------------------------------------------------------------------

    /** Predicts from the declaration alone, following the README's catalogue and the annotations' contract. */
    static Prediction predict(Net n) {
        List<String> faults = new ArrayList<>();
        List<String> uncertain = new ArrayList<>();
        switch (n.classShape()) {
            case FINAL -> faults.add("is final");
            case GENERIC -> faults.add("is generic");
            case CTOR_WITH_PARAM, PRIVATE_CTOR -> faults.add("needs a non-private constructor without parameters");
            default -> { }
        }
        int[] in = n.input();
        boolean inputOk = false;
        if (in.length == 0) {
            faults.add("@Network needs the shape of one input sample");
        } else if (in.length != 1 && in.length != 3) {
            faults.add("has " + in.length + " dimensions; expected 1 ({features}) or 3");
        } else if (Arrays.stream(in).anyMatch(d -> d <= 0)) {
            faults.add("every dimension must be positive");
        } else {
            inputOk = true;
        }

        List<Field> layers = n.layerFields();
        List<String> names = new ArrayList<>(), types = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        List<ActivationType> acts = new ArrayList<>();
        long params = 0;
        boolean hasDropout = false;
        if (layers.isEmpty()) {
            faults.add("annotate fields of type Layer with @Dense, @Activation, @Dropout or @Flatten");
        } else if (inputOk) {
            int[] shape = in.clone();
            for (Field f : layers) {
                List<String> here = new ArrayList<>();
                if (!f.type().equals("Layer")) here.add(f.name() + ": a layer field must have type io.nerva.runtime.Layer");
                for (String m : List.of("private", "final", "static")) {
                    if ((" " + f.modifiers()).contains(" " + m + " ")) here.add(f.name() + ": a layer field cannot be " + m);
                }
                DenseAnn dense = f.get(DenseAnn.class);
                ActAnn act = f.get(ActAnn.class);
                DropAnn drop = f.get(DropAnn.class);
                int count = f.annotations().size();
                if (count > 1 && !(count == 2 && dense != null && act != null)) {
                    here.add(f.name() + " has " + count + " layer annotations");
                }
                if (!here.isEmpty()) {
                    faults.addAll(here);
                    break;
                }
                boolean flat = shape.length == 1;
                int size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
                int[] out;
                String type;
                ActivationType layerAct = null;
                if (dense != null) {
                    if (dense.units() <= 0) here.add(f.name() + ": Dense needs a positive number of units, got " + dense.units());
                    if (!flat) here.add(f.name() + ": Dense needs a flat input but receives " + dims(shape));
                    if (act != null) {
                        activationFaults(f, act, new int[] {Math.max(dense.units(), 1)}, here, uncertain);
                        layerAct = act.type();
                    } else {
                        layerAct = ActivationType.LINEAR;
                    }
                    if (dense.initValue() != null && !Float.isFinite(dense.initValue())) {
                        uncertain.add(f.name() + ": initValue " + dense.initValue() + " is not finite");
                    }
                    out = new int[] {dense.units()};
                    type = "Dense";
                    params += (long) size * dense.units() + (dense.bias() ? dense.units() : 0);
                } else if (act != null) {
                    activationFaults(f, act, shape, here, uncertain);
                    if (act.type() == ActivationType.SOFTMAX && !flat) {
                        here.add(f.name() + ": softmax needs a flat input but receives " + dims(shape));
                    }
                    layerAct = act.type();
                    out = shape;
                    type = "Activation";
                } else if (drop != null) {
                    if (!(drop.rate() >= 0 && drop.rate() < 1)) {
                        here.add(f.name() + ": dropout rate must be in [0, 1), got " + drop.rate());
                    } else if ((float) drop.rate() >= 1f) {
                        uncertain.add(f.name() + ": rate " + drop.rate() + " is below 1 but rounds to 1.0f");
                    }
                    hasDropout = true;
                    out = shape;
                    type = "Dropout";
                } else {
                    out = new int[] {size};
                    type = "Flatten";
                }
                if (!here.isEmpty()) {
                    faults.addAll(here);
                    break;
                }
                names.add(f.name());
                types.add(type);
                shapes.add(out);
                acts.add(layerAct);
                shape = out;
            }
        }
        ActivationType outputAct = null;
        if (faults.isEmpty() && !shapes.isEmpty()) {
            if (!n.inferenceOnly()) {
                for (int i = 0; i < acts.size(); i++) {
                    if (acts.get(i) == ActivationType.BINARY_STEP) faults.add(names.get(i) + ": BINARY_STEP has no gradient");
                }
            }
            outputAct = acts.getLast() == null ? ActivationType.LINEAR : acts.getLast();
            int units = Arrays.stream(shapes.getLast()).reduce(1, (a, b) -> a * b);
            String loss = n.loss().name();
            switch (n.loss()) {
                case CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY -> {
                    if (units < 2) faults.add(loss + " needs 2 or more output units");
                    else if (outputAct != ActivationType.SOFTMAX) faults.add(loss + " expects class probabilities");
                }
                case BINARY_CROSSENTROPY -> {
                    if (outputAct != ActivationType.SIGMOID) faults.add(loss + " expects probabilities from a SIGMOID output");
                }
                case BINARY_CROSSENTROPY_FROM_LOGITS -> {
                    if (outputAct != ActivationType.LINEAR) faults.add(loss + " expects raw logits");
                }
                default -> { }
            }
        }
        if (faults.isEmpty() && hasClashingConstants(layers)) {
            uncertain.add("layer names " + layers.stream().map(Field::name).toList() + " differ only in case or underscores");
        }
        boolean isUncertain = faults.isEmpty() && !uncertain.isEmpty();
        double[] bounds = faults.isEmpty() ? bounds(n, layers, in) : new double[] {0, 0};
        boolean finite = bounds[0] < 1e30 && bounds[1] < 1e30 && !isUncertain;
        return new Prediction(List.copyOf(faults), isUncertain, String.join("; ", uncertain), names, types, shapes,
                params, outputAct, hasDropout, finite, bounds[0], bounds[1]);
    }

    private static void activationFaults(Field f, ActAnn a, int[] out, List<String> here, List<String> uncertain) {
        if (a.usesAlpha() && a.alpha() != null && !Double.isNaN(a.alpha())) {
            if (a.alpha() < 0 || Double.isInfinite(a.alpha())) {
                here.add(f.name() + ": alpha of " + a.type() + " must be a finite number ≥ 0, got " + a.alpha());
                return;
            }
            if (Float.isInfinite((float) (double) a.alpha())) {
                uncertain.add(f.name() + ": alpha " + a.alpha() + " is finite but overflows a float");
            }
        }
        if (a.type() == ActivationType.SOFTMAX && out.length == 1 && out[0] == 1) {
            here.add(f.name() + ": softmax over a single unit always outputs 1");
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

    /**
     * Crude upper bounds on |activation| through the forward pass (inputs in [-1, 1], training
     * dropout included) and on |gradient| through the backward pass (output gradient in [-1, 1],
     * 3 rows). Finite outputs and gradients are only demanded when both stay far below float's
     * range; this excludes e.g. EXPONENTIAL after EXPONENTIAL, not the ordinary stacks.
     */
    private static double[] bounds(Net n, List<Field> layers, int[] input) {
        int rows = 3;
        double b = 1;
        int width = Arrays.stream(input).reduce(1, (x, y) -> x * y);
        List<double[]> trace = new ArrayList<>(); // per layer: in-bound, z-bound, in-width, units, wmax
        for (Field f : layers) {
            DenseAnn d = f.get(DenseAnn.class);
            ActAnn a = f.get(ActAnn.class);
            DropAnn drop = f.get(DropAnn.class);
            if (d != null) {
                double w = weightBound(d.kernel(), d.value(), width, d.units());
                double bias = d.bias() ? weightBound(d.biasInitOrDefault(), d.value(), width, d.units()) : 0;
                double z = b * width * w + bias;
                trace.add(new double[] {b, z, width, d.units(), w});
                b = a == null ? z : activationBound(a, z);
                width = d.units();
            } else if (a != null) {
                trace.add(new double[] {b, b, width, width, 0});
                b = activationBound(a, b);
            } else if (drop != null) {
                double scale = 1 / (1 - Math.min((float) drop.rate(), 0.9999f));
                trace.add(new double[] {b, b, width, width, scale});
                b *= scale;
            } else {
                trace.add(new double[] {b, b, width, width, 1});
            }
        }
        double forward = Math.max(b, trace.stream().mapToDouble(t -> t[1]).max().orElse(0));
        double grad = 1, worst = 1;
        for (int i = layers.size() - 1; i >= 0; i--) {
            Field f = layers.get(i);
            double[] t = trace.get(i);
            DenseAnn d = f.get(DenseAnn.class);
            ActAnn a = f.get(ActAnn.class);
            if (a != null) grad *= derivativeBound(a, t[1]);
            if (d != null) {
                worst = Math.max(worst, rows * t[0] * grad);          // dW
                grad = t[3] * t[4] * grad;                             // dX
            } else if (f.get(DropAnn.class) != null) {
                grad *= t[4];
            }
            worst = Math.max(worst, grad);
        }
        return new double[] {forward, worst};
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
            case RANDOM_UNIFORM -> 0.05;
            case ORTHOGONAL -> 1; // entries of an orthonormal matrix
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
            case HARD_SIGMOID -> 1.0 / 6;
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
