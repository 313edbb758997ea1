/**
 * The course's first two neurons, before any network: Rosenblatt's {@link io.nerva.runtime.classic.Perceptron}
 * (a step output, weights moved by the error of the step) and Widrow and Hoff's
 * {@link io.nerva.runtime.classic.Adaline} (the same unit trained by gradient descent on the squared error of its
 * linear output), with {@link io.nerva.runtime.classic.SignNetwork} for networks of such units with weights set
 * by hand. Plain Java on small arrays: these are for learning what a neuron does, not for speed.
 */
package io.nerva.runtime.classic;
