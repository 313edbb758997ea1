package io.nerva.processor.model;

import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.TypeElement;

/**
 * What the reading room found on a {@code @Network} class: the declaration as written,
 * before any checking. {@code enclosing}: the classes it is nested in, outermost first.
 */
public record NetworkDecl(
        TypeElement type,
        AnnotationMirror mirror,
        AnnotationUse network,
        String packageName,
        List<String> enclosing,
        String simpleName,
        List<FieldDecl> layerFields) {}
