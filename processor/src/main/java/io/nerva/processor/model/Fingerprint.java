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
            sb.append(';')
                    .append(layer.typeName())
                    .append(' ')
                    .append(layer.name())
                    .append(' ')
                    .append(layer.input())
                    .append("->")
                    .append(layer.output());
            sb.append(layer.settings());
        }
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
