package io.nerva.processor.checking;

import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;
import java.util.Arrays;

/**
 * Reports diagnostics at the most precise place javac allows (element, annotation, value) and
 * counts errors. Warnings can be suppressed with {@code @SuppressWarnings("nerva")} or
 * {@code @SuppressWarnings("nerva:<key>")} on the field or on the network class.
 */
public final class Diagnostics {
    private final Messager messager;
    private int errors;

    public Diagnostics(Messager messager) {
        this.messager = messager;
    }

    public void error(Element element, AnnotationMirror mirror, AnnotationValue value, String message) {
        errors++;
        print(Diagnostic.Kind.ERROR, element, mirror, value, message);
    }

    public void error(Element element, String message) {
        error(element, null, null, message);
    }

    /** A warning that {@code @SuppressWarnings("nerva")} or {@code "nerva:" + key} silences. */
    public void warning(String key, Element element, AnnotationMirror mirror, String message) {
        if (suppressed(element, key)) return;
        print(Diagnostic.Kind.WARNING, element, mirror, null, message + " [nerva:" + key + "]");
    }

    public void note(Element element, String message) {
        messager.printMessage(Diagnostic.Kind.NOTE, message, element);
    }

    public int errorCount() {
        return errors;
    }

    private void print(Diagnostic.Kind kind, Element element, AnnotationMirror mirror, AnnotationValue value, String message) {
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
