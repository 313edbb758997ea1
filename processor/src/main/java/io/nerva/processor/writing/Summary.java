package io.nerva.processor.writing;

import io.nerva.processor.model.LayerPlan;
import io.nerva.processor.model.NetworkPlan;
import java.util.Locale;

/** The Keras-like summary table and the architecture fingerprint of a network. */
public final class Summary {
    private static final String RULE = "_".repeat(65);
    private static final String DOUBLE_RULE = "=".repeat(65);

    private Summary() {}

    public static String of(NetworkPlan plan) {
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"")
                .append(plan.userClass())
                .append("\"\n")
                .append(RULE)
                .append('\n');
        sb.append(row("Layer (type)", "Output Shape", "Param #"))
                .append(DOUBLE_RULE)
                .append('\n');
        for (LayerPlan layer : plan.layers()) {
            sb.append(row(
                    layer.name() + " (" + layer.typeName() + ")",
                    layer.output().kerasString(),
                    String.format(Locale.ROOT, "%,d", layer.paramCount())));
        }
        long total = plan.paramCount();
        sb.append(DOUBLE_RULE).append('\n');
        sb.append(String.format(Locale.ROOT, "Total params: %,d (%s)%n", total, bytes(total * Float.BYTES)));
        long trained = plan.trainedParamCount(); // BatchNorm's moving averages and frozen layers are not
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", plan.trainable() ? trained : 0));
        sb.append(
                String.format(Locale.ROOT, "Non-trainable params: %,d%n", plan.trainable() ? total - trained : total));
        BufferLayout layout = new BufferLayout(plan);
        long inference = layout.floatsPerRow(false) * Float.BYTES, training = layout.floatsPerRow(true) * Float.BYTES;
        sb.append(String.format(
                Locale.ROOT,
                "Workspace per row: %s (inference), %s (training)%n",
                bytes(inference),
                plan.trainable() ? bytes(training) : "-"));
        sb.append(RULE).append('\n');
        return sb.toString();
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
