package io.nerva.processor.writing;

/** Naming conventions of generated code. */
final class Names {
    private Names() {}

    /** {@code hiddenLayer} → {@code HIDDEN_LAYER}. */
    static String constant(String camel) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && !Character.isUpperCase(camel.charAt(i - 1))) sb.append('_');
            sb.append(Character.toUpperCase(c));
        }
        return sb.toString();
    }

    /** {@code hidden} → {@code Hidden}. */
    static String capitalized(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
