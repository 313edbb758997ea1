package io.nerva.processor.writing;

import io.nerva.processor.model.LayerPlan;
import io.nerva.processor.model.NetworkPlan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** The Keras-like summary table and the architecture fingerprint of a network. */
public final class Summary {
    private static final String RULE = "_".repeat(65);
    private static final String DOUBLE_RULE = "=".repeat(65);

    private Summary() {}

    public static String of(NetworkPlan plan) {
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(plan.userClass()).append("\"\n").append(RULE).append('\n');
        sb.append(row("Layer (type)", "Output Shape", "Param #")).append(DOUBLE_RULE).append('\n');
        for (LayerPlan layer : plan.layers()) {
            sb.append(row(layer.name() + " (" + layer.typeName() + ")", layer.output().kerasString(),
                    String.format(Locale.ROOT, "%,d", layer.paramCount())));
        }
        long total = plan.paramCount();
        sb.append(DOUBLE_RULE).append('\n');
        sb.append(String.format(Locale.ROOT, "Total params: %,d (%s)%n", total, bytes(total * Float.BYTES)));
        long state = plan.nonTrainableParamCount();
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", plan.trainable() ? total - state : 0));
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", plan.trainable() ? state : total));
        BufferLayout layout = new BufferLayout(plan);
        long inference = layout.floatsPerRow(false) * Float.BYTES, training = layout.floatsPerRow(true) * Float.BYTES;
        sb.append(String.format(Locale.ROOT, "Workspace per row: %s (inference), %s (training)%n", bytes(inference),
                plan.trainable() ? bytes(training) : "-"));
        sb.append(RULE).append('\n');
        return sb.toString();
    }

    /**
     * A hash of everything that decides the parameter layout and the computation: input shape,
     * and each layer's kind, name, shapes and settings. Weight files record it.
     */
    public static String fingerprint(NetworkPlan plan) {
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

    private static String row(String a, String b, String c) {
        return String.format(Locale.ROOT, " %-28s %-25s %s%n", a, b, c);
    }

    private static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1024 * 1024) return String.format(Locale.ROOT, "%.2f KB", n / 1024.0);
        return String.format(Locale.ROOT, "%.2f MB", n / (1024.0 * 1024));
    }
}
