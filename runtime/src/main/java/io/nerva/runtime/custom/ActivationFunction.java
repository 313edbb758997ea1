package io.nerva.runtime.custom;

/**
 * An element-wise activation written by the user: the function and its derivative. Used as a layer with
 * {@code @Custom(MyFunction.class)}; the processor checks at compile time that the class implements this
 * interface and can be instantiated. One instance serves every model and thread: keep it stateless.
 * Check the derivative with {@link GradientChecker#checkActivation}.
 */
public interface ActivationFunction {

    /** {@code f(x)}. */
    float apply(float x);

    /** {@code f'(x)}; {@code y} is {@code f(x)}, for functions whose derivative is cheaper from it (sigmoid: {@code y(1 − y)}). */
    float derivative(float x, float y);
}
