package io.nerva.processor.checking;

import java.util.Arrays;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.tools.Diagnostic;

/**
 * Reports the diagnostics of the {@link Message} catalogue at the most precise place javac allows
 * (element, annotation, value) and counts errors. Warnings can be suppressed with {@code @SuppressWarnings("nerva")} or
 * {@code @SuppressWarnings("nerva:<key>")} on the field or on the network class.
 */
public final class Diagnostics {
    private final Messager messager;
    private int errors;

    public Diagnostics(Messager messager) {
        this.messager = messager;
    }

    /**
     * Reports {@code message} with one argument per parameter of its template. The element (and the
     * annotation and value, either may be null) must fit the message's {@link Message.Target}; a
     * mismatch, or a wrong number of arguments, is a bug in Nerva and throws.
     */
    public void report(
            Message message, Element element, AnnotationMirror mirror, AnnotationValue value, Object... args) {
        checkTarget(message, element, mirror, value);
        String text = message.format(args);
        Message.Kind kind = message.kind();
        switch (kind.javac()) {
            case ERROR -> errors++;
            case WARNING -> {
                if (suppressed(element, kind.key())) return;
                text += " [nerva:" + kind.key() + "]";
            }
            default -> {}
        }
        print(kind.javac(), element, mirror, value, text);
    }

    private static void checkTarget(Message message, Element element, AnnotationMirror mirror, AnnotationValue value) {
        Message.Target target = message.target();
        boolean fits = switch (target) {
            case CLASS -> element instanceof TypeElement;
            case NETWORK, NETWORK_VALUE -> element instanceof TypeElement && mirror != null;
            case METHOD -> element instanceof ExecutableElement;
            case FIELD -> element instanceof VariableElement;
            case LAYER, LAYER_VALUE -> element instanceof VariableElement && mirror != null;
        };
        boolean valueAllowed = target == Message.Target.NETWORK_VALUE || target == Message.Target.LAYER_VALUE;
        if (!fits || (value != null && !valueAllowed) || (value != null && mirror == null)) {
            throw new IllegalArgumentException(message + " points at " + target + ", but was reported on "
                    + (element == null ? "null" : element.getKind() + " " + element)
                    + (mirror == null ? "" : " " + mirror)
                    + (value == null ? "" : " = " + value));
        }
    }

    public int errorCount() {
        return errors;
    }

    private void print(
            Diagnostic.Kind kind, Element element, AnnotationMirror mirror, AnnotationValue value, String message) {
        if (value != null) {
            messager.printMessage(kind, message, element, mirror, value);
        } else if (mirror != null) {
            messager.printMessage(kind, message, element, mirror);
        } else {
            messager.printMessage(kind, message, element);
        }
    }

    private static boolean suppressed(Element element, String key) {
        for (Element e = element; e != null; e = e.getEnclosingElement()) {
            SuppressWarnings s = e.getAnnotation(SuppressWarnings.class);
            if (s != null && Arrays.stream(s.value()).anyMatch(v -> v.equals("nerva") || v.equals("nerva:" + key))) {
                return true;
            }
        }
        return false;
    }
}
