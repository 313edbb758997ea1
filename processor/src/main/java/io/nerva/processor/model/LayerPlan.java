package io.nerva.processor.model;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.Initializer;

/** A checked layer with its shapes known: what the writing room emits code for. */
public sealed interface LayerPlan {

    /** The field name. */
    String name();

    Shape input();

    Shape output();

    /** Keras' name for the layer type. */
    String typeName();

    long paramCount();

    /** Of {@link #paramCount()}, the values that are state rather than trained (BatchNorm's moving averages). */
    default long nonTrainableParamCount() {
        return 0;
    }

    /** {@code Y = act(X·W + b)}. */
    record Dense(String name, int in, int units, boolean useBias, ActivationType activation, float alpha,
                 Initializer kernelInit, Initializer biasInit, float initValue) implements LayerPlan {
        public Shape input() { return Shape.of(in); }
        public Shape output() { return Shape.of(units); }
        public String typeName() { return "Dense"; }
        public long paramCount() { return (long) in * units + (useBias ? units : 0); }
    }

    /** An activation on its own field. */
    record Activation(String name, Shape input, ActivationType activation, float alpha) implements LayerPlan {
        public Shape output() { return input; }
        public String typeName() { return "Activation"; }
        public long paramCount() { return 0; }
    }

    record Dropout(String name, Shape input, float rate) implements LayerPlan {
        public Shape output() { return input; }
        public String typeName() { return "Dropout"; }
        public long paramCount() { return 0; }
    }

    record Flatten(String name, Shape input) implements LayerPlan {
        public Shape output() { return Shape.of(input.size()); }
        public String typeName() { return "Flatten"; }
        public long paramCount() { return 0; }
    }

    /**
     * {@code out = act(conv(X, W) + b)} over NHWC, kernel {@code [kh, kw, cin, filters]} as Keras;
     * {@code input} is {@code h x w x cin}, {@code output} {@code oh x ow x filters}.
     */
    record Conv2D(String name, Shape input, Shape output, Window window, boolean useBias, ActivationType activation,
                  float alpha, Initializer kernelInit, Initializer biasInit, float initValue) implements LayerPlan {
        public int cin() { return input.dims()[2]; }
        public int filters() { return output.dims()[2]; }
        /** Rows of the kernel matrix, {@code kh·kw·cin}: the fan-in. */
        public int patch() { return window.kh() * window.kw() * cin(); }
        public String typeName() { return "Conv2D"; }
        public long paramCount() { return (long) patch() * filters() + (useBias ? filters() : 0); }
    }

    record MaxPool2D(String name, Shape input, Shape output, Window window) implements LayerPlan {
        public String typeName() { return "MaxPooling2D"; }
        public long paramCount() { return 0; }
    }

    record AvgPool2D(String name, Shape input, Shape output, Window window) implements LayerPlan {
        public String typeName() { return "AveragePooling2D"; }
        public long paramCount() { return 0; }
    }

    /** {@code h x w x c → c}. */
    record GlobalMaxPool2D(String name, Shape input) implements LayerPlan {
        public Shape output() { return Shape.of(input.dims()[2]); }
        public String typeName() { return "GlobalMaxPooling2D"; }
        public long paramCount() { return 0; }
    }

    /** {@code h x w x c → c}. */
    record GlobalAvgPool2D(String name, Shape input) implements LayerPlan {
        public Shape output() { return Shape.of(input.dims()[2]); }
        public String typeName() { return "GlobalAveragePooling2D"; }
        public long paramCount() { return 0; }
    }

    /** Normalization over the last axis; parameters gamma, beta, moving mean, moving variance ({@code channels} each). */
    record BatchNorm(String name, Shape input, float momentum, float epsilon) implements LayerPlan {
        public Shape output() { return input; }
        public int channels() { return input.dims()[input.rank() - 1]; }
        public String typeName() { return "BatchNormalization"; }
        public long paramCount() { return 4L * channels(); }
        public long nonTrainableParamCount() { return 2L * channels(); }
    }
}
