package io.nerva.spark;

import java.io.Serializable;

/**
 * One row of a sample DataFrame as Spark's bean encoder reads it: {@code id} (the sample's global
 * index, which fixes the order data-parallel training visits it in), {@code features} (the
 * flattened input, {@code array<float>}) and {@code label} (the class index; ignored by scoring).
 */
public class Sample implements Serializable {
    private static final long serialVersionUID = 1L;
    private long id;
    private float[] features;
    private int label;

    public Sample() {}

    public Sample(long id, float[] features, int label) {
        this.id = id;
        this.features = features;
        this.label = label;
    }

    public long getId() {
        return id;
    }

    public void setId(long id) {
        this.id = id;
    }

    public float[] getFeatures() {
        return features;
    }

    public void setFeatures(float[] features) {
        this.features = features;
    }

    public int getLabel() {
        return label;
    }

    public void setLabel(int label) {
        this.label = label;
    }
}
