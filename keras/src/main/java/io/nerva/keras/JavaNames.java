package io.nerva.keras;

import javax.lang.model.SourceVersion;

/** Java identifiers made from Keras names. */
final class JavaNames {
    private JavaNames() {}

    /** A field name for a Keras layer name: invalid characters become {@code _}, a keyword or digit start gets a prefix. */
    static String field(String kerasName) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < kerasName.length(); i++) {
            char c = kerasName.charAt(i);
            sb.append(
                    sb.isEmpty()
                            ? (Character.isJavaIdentifierStart(c)
                                    ? c
                                    : Character.isJavaIdentifierPart(c) ? "_" + c : "_")
                            : Character.isJavaIdentifierPart(c) ? c : '_');
        }
        String s = sb.isEmpty() ? "layer" : sb.toString();
        return SourceVersion.isKeyword(s) || s.equals("_") ? s + "_" : s;
    }

    /** A class name: {@code dense_iris → DenseIris}. */
    static String className(String kerasName) {
        StringBuilder sb = new StringBuilder();
        boolean up = true;
        for (char c : kerasName.toCharArray()) {
            if (!Character.isJavaIdentifierPart(c) || c == '_' || c == '$') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        String s = sb.isEmpty() ? "KerasNet" : sb.toString();
        if (!Character.isJavaIdentifierStart(s.charAt(0))) s = "Net" + s;
        return s;
    }
}
