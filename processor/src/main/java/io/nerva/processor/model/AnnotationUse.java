package io.nerva.processor.model;

import java.util.List;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.VariableElement;

/**
 * One layer annotation as written on a field: its values (defaults filled in) and, for
 * diagnostics, the mirror and the values the user wrote explicitly.
 */
public record AnnotationUse(
        LayerKind kind, AnnotationMirror mirror, Map<String, AnnotationValue> explicit, Map<String, Object> values) {

    public int intValue(String name) {
        return value(name, Number.class).intValue();
    }

    public double doubleValue(String name) {
        return value(name, Number.class).doubleValue();
    }

    public boolean booleanValue(String name) {
        return value(name, Boolean.class);
    }

    public String stringValue(String name) {
        return value(name, String.class);
    }

    /** The constant name of an enum-valued attribute. */
    public String enumValue(String name) {
        return value(name, VariableElement.class).getSimpleName().toString();
    }

    /** A value of the expected type; javac leaves an unresolved value as something else. */
    private <T> T value(String name, Class<T> type) {
        Object v = values.get(name);
        if (!type.isInstance(v)) throw new MalformedAnnotationException(name + " = " + v);
        return type.cast(v);
    }

    /** The value the user wrote, to point a diagnostic at; null when the attribute was defaulted. */
    public AnnotationValue explicitValue(String name) {
        return explicit.get(name);
    }

    /** Ints of an array-valued attribute. */
    @SuppressWarnings("unchecked")
    public static int[] ints(Object arrayValue) {
        List<? extends AnnotationValue> list = (List<? extends AnnotationValue>) arrayValue;
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i).getValue() instanceof Number n))
                throw new MalformedAnnotationException("array element " + list.get(i));
            out[i] = n.intValue();
        }
        return out;
    }
}
