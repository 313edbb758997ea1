package io.nerva.runtime.custom;

/**
 * A layer written by the user in plain Java, used with {@code @Custom(MyLayer.class)} on a network field.
 * Its shape rule and parameter tensors are declared with {@link io.nerva.annotations.CustomShape} on the
 * class, which the annotation processor evaluates at compile time: every buffer and parameter offset of the
 * generated network is then a constant, as for the built-in layers.
 *
 * <p>{@link #forward} writes every output value of the batch from the inputs and parameters.
 * {@link #backward} receives the gradient of the loss w.r.t. the outputs and <em>adds</em> the gradients
 * w.r.t. the parameters and (when {@link CustomPass#needsInputGrad()}) the inputs: both arrive zeroed.
 * One instance serves every model and thread of the generated class: keep it stateless (configuration
 * only). Check forward against backward with {@link GradientChecker#check}.
 */
public interface CustomLayer {

    void forward(CustomPass pass);

    void backward(CustomPass pass);
}
