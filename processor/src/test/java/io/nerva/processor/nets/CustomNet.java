package io.nerva.processor.nets;

import io.nerva.annotations.Custom;
import io.nerva.annotations.Flatten;
import io.nerva.annotations.Network;
import io.nerva.processor.nets.custom.Affine;
import io.nerva.processor.nets.custom.ScaledTanh;
import io.nerva.runtime.Layer;

/** User-written layers only: an affine map per step, a custom activation, then an affine head. */
@Network(input = {2, 3})
public abstract class CustomNet {
    @Custom(value = Affine.class, units = 4)
    public Layer perStep;

    @Custom(ScaledTanh.class)
    public Layer squash;

    @Flatten
    Layer flat;

    @Custom(value = Affine.class, units = 2)
    public Layer head;
}
