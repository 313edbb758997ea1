package io.nerva.processor.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The architecture fingerprint weight files record: the writing room emits it, the checking room compares it. */
public final class Fingerprint {
    private Fingerprint() {}

    /**
     * A hash of everything that decides the parameter layout and the computation: input shape,
     * and each layer's kind, name, shapes and settings. Weight files record it.
     */
    public static String of(NetworkPlan plan) {
        StringBuilder sb = new StringBuilder("input=").append(plan.input());
        for (LayerPlan layer : plan.layers()) {
            sb.append(';').append(layer.typeName()).append(' ').append(layer.name())
                    .append(' ').append(layer.input()).append("->").append(layer.output());
            switch (layer) {
                case LayerPlan.Dense d -> sb.append(" bias=").append(d.useBias()).append(' ').append(d.activation())
                        .append(' ').append(d.alpha());
                case LayerPlan.Activation a -> sb.append(' ').append(a.activation()).append(' ').append(a.alpha());
                case LayerPlan.Dropout d -> sb.append(" rate=").append(d.rate());
                case LayerPlan.Flatten f -> { }
                case LayerPlan.Conv2D c -> sb.append(' ').append(c.window()).append(" bias=").append(c.useBias())
                        .append(' ').append(c.activation()).append(' ').append(c.alpha());
                case LayerPlan.MaxPool2D p -> sb.append(' ').append(p.window());
                case LayerPlan.AvgPool2D p -> sb.append(' ').append(p.window());
                case LayerPlan.GlobalMaxPool2D p -> { }
                case LayerPlan.GlobalAvgPool2D p -> { }
                case LayerPlan.BatchNorm b -> sb.append(" momentum=").append(b.momentum()).append(" epsilon=").append(b.epsilon());
                case LayerPlan.Recurrent r -> sb.append(' ').append(r.cellActivation()).append(' ').append(r.recurrentActivation())
                        .append(" bias=").append(r.useBias()).append(" sequences=").append(r.returnSequences())
                        .append(" backwards=").append(r.goBackwards()).append(" resetAfter=").append(r.resetAfter());
                case LayerPlan.Embedding e -> sb.append(" vocabulary=").append(e.inputDim());
            }
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

}
