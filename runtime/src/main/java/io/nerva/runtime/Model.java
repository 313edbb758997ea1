package io.nerva.runtime;

import io.nerva.annotations.ActivationType;

import java.util.List;

/**
 * What every generated network implements: the primitive passes the runtime's training loop,
 * evaluation and prediction are built on. Buffers are row-major, batch first.
 */
public interface Model extends AutoCloseable {

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

    /** The layers in order, with their parameter views. */
    List<Layer> layers();

    /** A Keras-like summary: layer, type, output shape, parameter count, totals. */
    String summary();

    /** Buffers for up to {@code capacity} rows; {@code training} adds the gradient and dropout buffers. */
    Workspace newWorkspace(int capacity, boolean training, long seed);

    /** Runs rows {@code [0, rows)} of {@code ws.input()} through the network into {@code ws.output()}. */
    void forward(Workspace ws, int rows, boolean training);

    /**
     * Back-propagates {@code ws.outputGrad()} (w.r.t. the output, or w.r.t. the logits when
     * {@code gradWrtLogits}) and overwrites {@code parameters().grads()} with the gradient.
     * Requires a training workspace on which {@link #forward} ran with {@code training = true}.
     */
    void backward(Workspace ws, int rows, boolean gradWrtLogits);

    /** Frees the model's native memory. */
    @Override
    void close();
}
