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
}
