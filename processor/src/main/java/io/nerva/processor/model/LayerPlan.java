package io.nerva.processor.model;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.Initializer;
import java.util.ArrayList;
import java.util.List;

/**
 * A checked layer with its shapes known: what the writing room emits code for. Sealed, and every
 * kind states its own parameter tensors, so a new kind cannot compile until it says what it trains.
 */
public sealed interface LayerPlan {

    /** The field name. */
    String name();

    Shape input();

    Shape output();

    /** Keras' name for the layer type. */
    String typeName();

    /** The parameter tensors, in buffer order (the first two are the runtime {@code Layer}'s kernel and bias views). */
    List<ParamTensor> params();

    default long paramCount() {
        long n = 0;
        for (ParamTensor t : params()) n += t.size();
        return n;
    }

    /** Of {@link #paramCount()}, the values that are state rather than trained (BatchNorm's moving averages). */
    default long nonTrainableParamCount() {
        return 0;
    }

    /** The settings beyond kind, name and shapes that change the computation, as the {@link Fingerprint} records them. */
    String settings();

    /**
     * Double dispatch to the room that handles each kind. The processor targets release 17, which has no
     * pattern switch; a visitor keeps the same guarantee: a new kind does not compile until every visitor handles it.
     */
    <R> R accept(Visitor<R> visitor);

    /** One method per kind. */
    interface Visitor<R> {
        R dense(Dense layer);

        R activation(Activation layer);

        R dropout(Dropout layer);

        R flatten(Flatten layer);

        R conv2D(Conv2D layer);

        R maxPool2D(MaxPool2D layer);

        R avgPool2D(AvgPool2D layer);

        R globalMaxPool2D(GlobalMaxPool2D layer);

        R globalAvgPool2D(GlobalAvgPool2D layer);

        R batchNorm(BatchNorm layer);

        R recurrent(Recurrent layer);

        R embedding(Embedding layer);

        R pRelu(PRelu layer);

        R maxout(Maxout layer);

        R custom(Custom layer);
    }

    /** The activation applied last by this layer, or null when it has none (a shape or pooling layer). */
    default ActivationType activation() {
        return null;
    }

    private static List<ParamTensor> kernelAndBias(
            int[] kernelShape,
            int units,
            boolean useBias,
            Initializer kernelInit,
            Initializer biasInit,
            float initValue,
            int fanIn,
            int fanOut) {
        List<ParamTensor> t = new ArrayList<>();
        t.add(new ParamTensor("kernel", kernelShape, kernelInit, initValue, fanIn, fanOut));
        if (useBias) t.add(new ParamTensor("bias", new int[] {units}, biasInit, initValue, fanIn, fanOut));
        return t;
    }

    /** {@code Y = act(X·W + b)}; on a sequence {@code T x in}, applied to every step. */
    record Dense(
            String name,
            Shape input,
            int units,
            boolean useBias,
            ActivationType activation,
            float alpha,
            Initializer kernelInit,
            Initializer biasInit,
            float initValue)
            implements LayerPlan {
        public String settings() {
            return " bias=" + useBias + ' ' + activation + ' ' + alpha;
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.dense(this);
        }

        public int in() {
            return input.last();
        }
        /** Rows of the product per sample: 1, or the time steps of a sequence. */
        public int steps() {
            return input.size() / in();
        }

        public Shape output() {
            return input.withLast(units);
        }

        public String typeName() {
            return "Dense";
        }

        public List<ParamTensor> params() {
            return kernelAndBias(new int[] {in(), units}, units, useBias, kernelInit, biasInit, initValue, in(), units);
        }
    }

    /** An activation on its own field, over the last axis. */
    record Activation(String name, Shape input, ActivationType activation, float alpha) implements LayerPlan {
        public String settings() {
            return " " + activation + ' ' + alpha;
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.activation(this);
        }

        public Shape output() {
            return input;
        }

        public String typeName() {
            return "Activation";
        }

        public List<ParamTensor> params() {
            return List.of();
        }
    }

    record Dropout(String name, Shape input, float rate) implements LayerPlan {
        public String settings() {
            return " rate=" + rate;
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.dropout(this);
        }

        public Shape output() {
            return input;
        }

        public String typeName() {
            return "Dropout";
        }

        public List<ParamTensor> params() {
            return List.of();
        }
    }

    record Flatten(String name, Shape input) implements LayerPlan {
        public String settings() {
            return "";
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.flatten(this);
        }

        public Shape output() {
            return Shape.of(input.size());
        }

        public String typeName() {
            return "Flatten";
        }

        public List<ParamTensor> params() {
            return List.of();
        }
    }

    /**
     * {@code out = act(conv(X, W) + b)} over NHWC, kernel {@code [kh, kw, cin, filters]} as Keras;
     * {@code input} is {@code h x w x cin}, {@code output} {@code oh x ow x filters}.
     */
    record Conv2D(
            String name,
            Shape input,
            Shape output,
            Window window,
            boolean useBias,
            ActivationType activation,
            float alpha,
            Initializer kernelInit,
            Initializer biasInit,
            float initValue)
            implements LayerPlan {
        public String settings() {
            return " " + window + " bias=" + useBias + ' ' + activation + ' ' + alpha;
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.conv2D(this);
        }

        public int cin() {
            return input.dims()[2];
        }

        public int filters() {
            return output.dims()[2];
        }
        /** Rows of the kernel matrix, {@code kh·kw·cin}: the fan-in. */
        public int patch() {
            return window.kh() * window.kw() * cin();
        }

        public String typeName() {
            return "Conv2D";
        }

        public List<ParamTensor> params() {
            return kernelAndBias(
                    new int[] {window.kh(), window.kw(), cin(), filters()},
                    filters(),
                    useBias,
                    kernelInit,
                    biasInit,
                    initValue,
                    patch(),
                    window.kh() * window.kw() * filters());
        }
    }

    record MaxPool2D(String name, Shape input, Shape output, Window window) implements LayerPlan {
        public String settings() {
            return " " + window;
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.maxPool2D(this);
        }

        public String typeName() {
            return "MaxPooling2D";
        }

        public List<ParamTensor> params() {
            return List.of();
        }
    }

    record AvgPool2D(String name, Shape input, Shape output, Window window) implements LayerPlan {
        public String settings() {
            return " " + window;
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.avgPool2D(this);
        }

        public String typeName() {
            return "AveragePooling2D";
        }

        public List<ParamTensor> params() {
            return List.of();
        }
    }

    /** {@code h x w x c → c}. */
    record GlobalMaxPool2D(String name, Shape input) implements LayerPlan {
        public String settings() {
            return "";
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.globalMaxPool2D(this);
        }

        public Shape output() {
            return Shape.of(input.dims()[2]);
        }

        public String typeName() {
            return "GlobalMaxPooling2D";
        }

        public List<ParamTensor> params() {
            return List.of();
        }
    }

    /** {@code h x w x c → c}. */
    record GlobalAvgPool2D(String name, Shape input) implements LayerPlan {
        public String settings() {
            return "";
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.globalAvgPool2D(this);
        }

        public Shape output() {
            return Shape.of(input.dims()[2]);
        }

        public String typeName() {
            return "GlobalAveragePooling2D";
        }

        public List<ParamTensor> params() {
            return List.of();
        }
    }

    /** Normalization over the last axis; parameters gamma, beta, moving mean, moving variance ({@code channels} each). */
    record BatchNorm(String name, Shape input, float momentum, float epsilon) implements LayerPlan {
        public String settings() {
            return " momentum=" + momentum + " epsilon=" + epsilon;
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.batchNorm(this);
        }

        public Shape output() {
            return input;
        }

        public int channels() {
            return input.last();
        }

        public String typeName() {
            return "BatchNormalization";
        }

        public List<ParamTensor> params() {
            int[] shape = {channels()};
            int c = channels();
            return List.of(
                    new ParamTensor("gamma", shape, Initializer.ONES, 0f, c, c),
                    new ParamTensor("beta", shape, Initializer.ZEROS, 0f, c, c),
                    new ParamTensor("moving_mean", shape, Initializer.ZEROS, 0f, c, c, false),
                    new ParamTensor("moving_variance", shape, Initializer.ONES, 0f, c, c, false));
        }

        public long nonTrainableParamCount() {
            return 2L * channels();
        }
    }

    /** The three recurrent cells, each with its number of gate blocks per unit. */
    enum Cell {
        SIMPLE_RNN("SimpleRNN", 1),
        LSTM("LSTM", 4),
        GRU("GRU", 3);

        public final String kerasName;
        public final int gates;

        Cell(String kerasName, int gates) {
            this.kerasName = kerasName;
            this.gates = gates;
        }
    }

    /**
     * SimpleRNN, LSTM or GRU over {@code timesteps x features}: output {@code units}, or
     * {@code timesteps x units} with {@code returnSequences}. Parameters as Keras stores them.
     * {@code cellActivation} acts inside the cell; as a layer it has no output activation to fuse with a loss.
     */
    record Recurrent(
            String name,
            Cell cell,
            Shape input,
            int units,
            ActivationType cellActivation,
            ActivationType recurrentActivation,
            boolean useBias,
            boolean returnSequences,
            boolean goBackwards,
            boolean unitForgetBias,
            boolean resetAfter,
            Initializer kernelInit,
            Initializer recurrentInit,
            Initializer biasInit,
            float initValue)
            implements LayerPlan {
        public String settings() {
            return " " + cellActivation + ' ' + recurrentActivation + " bias=" + useBias + " sequences="
                    + returnSequences + " backwards=" + goBackwards + " resetAfter=" + resetAfter;
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.recurrent(this);
        }

        public int timesteps() {
            return input.dims()[0];
        }

        public int features() {
            return input.dims()[1];
        }

        public Shape output() {
            return returnSequences ? Shape.of(timesteps(), units) : Shape.of(units);
        }

        public String typeName() {
            return cell.kerasName;
        }

        public List<ParamTensor> params() {
            int g = cell.gates * units;
            List<ParamTensor> t = new ArrayList<>();
            t.add(new ParamTensor("kernel", new int[] {features(), g}, kernelInit, initValue, features(), g));
            t.add(new ParamTensor("recurrent_kernel", new int[] {units, g}, recurrentInit, initValue, units, g));
            if (useBias) {
                int[] shape = cell == Cell.GRU && resetAfter ? new int[] {2, g} : new int[] {g};
                t.add(new ParamTensor("bias", shape, biasInit, initValue, features(), g));
            }
            return t;
        }
    }

    /** Token ids {@code timesteps} → {@code timesteps x outputDim}, table {@code [inputDim, outputDim]}. */
    record Embedding(String name, Shape input, int inputDim, int outputDim, Initializer init, float initValue)
            implements LayerPlan {
        public String settings() {
            return " vocabulary=" + inputDim;
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.embedding(this);
        }

        public int timesteps() {
            return input.size();
        }

        public Shape output() {
            return Shape.of(timesteps(), outputDim);
        }

        public String typeName() {
            return "Embedding";
        }

        public List<ParamTensor> params() {
            return List.of(new ParamTensor(
                    "embeddings", new int[] {inputDim, outputDim}, init, initValue, inputDim, outputDim));
        }
    }

    /** Parametric ReLU over every value of the input, one trained slope per position: {@code alpha} of the input's shape. */
    record PRelu(String name, Shape input, Initializer alphaInit, float initValue) implements LayerPlan {
        public String settings() {
            return "";
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.pRelu(this);
        }

        public Shape output() {
            return input;
        }

        public String typeName() {
            return "PReLU";
        }

        public List<ParamTensor> params() {
            int n = input.size();
            return List.of(new ParamTensor("alpha", input.dims(), alphaInit, initValue, n, n));
        }
    }

    /** Maxout over the last axis: {@code units·pieces} values → {@code units}, each the largest of its pieces. */
    record Maxout(String name, Shape input, int pieces) implements LayerPlan {
        public String settings() {
            return " pieces=" + pieces;
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.maxout(this);
        }

        public int units() {
            return input.last() / pieces;
        }
        /** Rows of {@code units·pieces} per sample: 1, or the steps or pixels of a sequence or image. */
        public int vectors() {
            return input.size() / input.last();
        }

        public Shape output() {
            return input.withLast(units());
        }

        public String typeName() {
            return "Maxout";
        }

        public List<ParamTensor> params() {
            return List.of();
        }
    }

    /**
     * A {@code @Custom} layer: the user's class {@code packageName.names[0].names[1]…} (nested names in order), either
     * a {@code CustomLayer} or, when {@code elementwise}, an {@code ActivationFunction} applied element-wise; shapes
     * and parameter tensors as its {@code @CustomShape} rule evaluated for this input and {@code units}.
     */
    record Custom(
            String name,
            Shape input,
            Shape output,
            String packageName,
            List<String> names,
            boolean elementwise,
            int units,
            List<ParamTensor> params)
            implements LayerPlan {
        public String settings() {
            return " class=" + qualifiedName() + " units=" + units;
        }

        public <R> R accept(Visitor<R> visitor) {
            return visitor.custom(this);
        }

        public String typeName() {
            return names.get(names.size() - 1);
        }

        public String qualifiedName() {
            return (packageName.isEmpty() ? "" : packageName + ".") + String.join(".", names);
        }
    }
}
