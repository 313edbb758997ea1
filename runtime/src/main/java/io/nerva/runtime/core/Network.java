package io.nerva.runtime.core;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;

/**
 * The compiler-facing side of a generated network: the primitive passes that training,
 * evaluation and prediction are built on. Buffers are row-major, batch first. Users hold the
 * richer {@code io.nerva.runtime.Model}, which extends this; the runtime's packages below it
 * depend only on this interface, so none of them depends back on the user API.
 */
public interface Network extends AutoCloseable {

    /** The name of the user's network class. */
    String name();

    /** Shape of one input sample. */
    int[] inputShape();

    /** Floats per input sample. */
    int inputSize();

    /** Floats per output sample. */
    int outputSize();

    /** Activation of the last layer (decides loss fusion). */
    ActivationType outputActivation();

    /** False when a layer cannot be trained through (binary step) or the model is inference-only. */
    boolean trainable();

    /** All parameters in one buffer, gradients in a second with the same offsets. */
    Parameters parameters();

    /** A Keras-like summary: layer, type, output shape, parameter count, totals. */
    String summary();

    /** Buffers for up to {@code capacity} rows; {@code training} adds the gradient and dropout buffers. */
    Workspace newWorkspace(int capacity, boolean training, long seed);

    /**
     * As {@link #newWorkspace(int, boolean, long)}, or with {@code inputGradients} a workspace whose backward
     * pass computes the gradient w.r.t. the input ({@link Workspace#inputGrad()}) and no parameter gradient;
     * such a workspace works on inference models too.
     */
    default Workspace newWorkspace(int capacity, boolean training, long seed, boolean inputGradients) {
        if (!inputGradients) return newWorkspace(capacity, training, seed);
        throw new UnsupportedOperationException(name() + " cannot compute gradients w.r.t. its input");
    }

    /** Runs rows {@code [0, rows)} of {@code ws.input()} through the network into {@code ws.output()}. */
    void forward(Workspace ws, int rows, boolean training);

    /**
     * Inference forward pass of rows {@code [0, rows)} through layers {@code 0..lastLayer} only; their outputs are
     * then in {@link Workspace#layerOutput(int)}. Generated models stop at {@code lastLayer}; this default runs them all.
     */
    default void forwardTo(Workspace ws, int rows, int lastLayer) {
        forward(ws, rows, false);
    }

    /**
     * Back-propagates {@code ws.outputGrad()} (w.r.t. the output, or w.r.t. the logits when
     * {@code gradWrtLogits}) and overwrites {@code parameters().grads()} with the gradient.
     * Requires a training workspace on which {@link #forward} ran with {@code training = true}. Frozen layers
     * keep their zero gradient. An input-gradient workspace ({@link #newWorkspace(int, boolean, long, boolean)})
     * instead writes {@link Workspace#inputGrad()}, after a forward pass in either mode, and leaves the
     * parameter gradients alone.
     */
    void backward(Workspace ws, int rows, boolean gradWrtLogits);

    /** The loss declared with {@code @Network(loss = ...)}, used when a training run names none. */
    default LossFunction declaredLoss() {
        return LossFunction.UNSPECIFIED;
    }

    /** A hash of the architecture, recorded in weight files and checked when they are loaded. */
    String fingerprint();

    /**
     * Frees the network's native memory. Calls in flight on other threads (predictions, a save's
     * snapshot, a load's copy, a training step) finish first; every later call throws
     * {@link IllegalStateException} ("model X is closed"). Closing twice is a no-op.
     */
    @Override
    void close();
}
