package io.nerva.spark;

import java.io.Serializable;

/** One scored row: the sample's {@code id}, the predicted class and the model's outputs. */
public class Scored implements Serializable {
    private static final long serialVersionUID = 1L;
    private long id;
    private int predicted;
    private float[] outputs;

    public Scored() {}

    public Scored(long id, int predicted, float[] outputs) {
        this.id = id;
        this.predicted = predicted;
        this.outputs = outputs;
    }

    public long getId() {
        return id;
    }

    public void setId(long id) {
        this.id = id;
    }

    public int getPredicted() {
        return predicted;
    }

    public void setPredicted(int predicted) {
        this.predicted = predicted;
    }

    public float[] getOutputs() {
        return outputs;
    }

    public void setOutputs(float[] outputs) {
        this.outputs = outputs;
    }
}
