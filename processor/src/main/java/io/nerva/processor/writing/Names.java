package io.nerva.processor.writing;

/** Naming conventions of generated code. */
final class Names {
    private Names() {}

    /**
     * {@code hiddenLayer} → {@code HIDDEN_LAYER}. One-to-one, so that distinct field names never
     * collide: every capital gets a {@code _} before it and every {@code _} is doubled
     * ({@code x1} → {@code X1}, {@code X1} → {@code _X1}, {@code a_b} → {@code A__B}).
     */
    static String constant(String camel) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (c == '_') sb.append("__");
            else if (Character.isUpperCase(c)) sb.append('_').append(c);
            else sb.append(Character.toUpperCase(c));
        }
        return sb.toString();
    }

    /** {@code hidden} → {@code Hidden}. */
    static String capitalized(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
