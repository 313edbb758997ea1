package io.nerva.processor;

import com.google.auto.service.AutoService;
import io.nerva.processor.checking.Diagnostics;
import io.nerva.processor.checking.Message;
import io.nerva.processor.checking.NetworkChecker;
import io.nerva.processor.checking.WeightsChecker;
import io.nerva.processor.model.LayerKind;
import io.nerva.processor.model.MalformedAnnotationException;
import io.nerva.processor.model.NetworkDecl;
import io.nerva.processor.model.NetworkPlan;
import io.nerva.processor.reading.NetworkReader;
import io.nerva.processor.reading.WeightsResourceReader;
import io.nerva.processor.writing.ModelWriter;
import io.nerva.processor.writing.Summary;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.FilerException;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;

/**
 * Compiles {@code @Network} classes: reads each into a declaration, checks it (every problem a
 * diagnostic on the field at fault), and writes {@code <Network>Model}. Option
 * {@code -Anerva.summary=true} prints each network's summary as a note.
 */
@AutoService(Processor.class)
public final class NetworkProcessor extends AbstractProcessor {
    public static final String SUMMARY_OPTION = "nerva.summary";
    /**
     * Every generated model carries it. Claimed so that javac does not warn "No processor claimed
     * any of these annotations" about our own output, which fails builds with -Xlint:all -Werror.
     */
    static final String GENERATED = "javax.annotation.processing.Generated";

    private final Consumer<NetworkDecl> afterReading;

    public NetworkProcessor() {
        this(decl -> {});
    }

    /** Test hook: {@code afterReading} sees each declaration before it is checked (tests throw from it). */
    NetworkProcessor(Consumer<NetworkDecl> afterReading) {
        this.afterReading = afterReading;
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
        Set<String> types = new LinkedHashSet<>();
        types.add(NetworkReader.NETWORK);
        types.add(NetworkReader.REGULARIZE);
        Arrays.stream(LayerKind.values()).map(LayerKind::annotation).forEach(types::add);
        types.add(GENERATED);
        return types;
    }

    @Override
    public Set<String> getSupportedOptions() {
        return Set.of(SUMMARY_OPTION);
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        Diagnostics diagnostics = new Diagnostics(processingEnv.getMessager());
        NetworkReader reader = new NetworkReader(processingEnv.getElementUtils());
        TypeElement network = processingEnv.getElementUtils().getTypeElement(NetworkReader.NETWORK);
        if (network == null) return false;
        for (Element element : round.getElementsAnnotatedWith(network)) {
            if (!(element instanceof TypeElement type)) continue;
            try {
                compile(type, reader, diagnostics);
            } catch (MalformedAnnotationException e) {
                // javac has already reported the bad annotation value; nothing to add
            } catch (Exception | Error e) { // Exception: checked ones can be thrown sneakily too
                java.io.StringWriter trace = new java.io.StringWriter();
                e.printStackTrace(new java.io.PrintWriter(trace));
                diagnostics.report(Message.INTERNAL_ERROR, type, null, null, type.getSimpleName(), e);
                diagnostics.report(Message.INTERNAL_ERROR_TRACE, type, null, null, trace);
            }
        }
        reportStrayLayers(annotations, round, reader, diagnostics);
        return true;
    }

    private void compile(TypeElement type, NetworkReader reader, Diagnostics diagnostics) {
        NetworkDecl decl = reader.read(type);
        afterReading.accept(decl);
        Optional<NetworkPlan> plan = new NetworkChecker(
                        diagnostics, processingEnv.getElementUtils(), processingEnv.getTypeUtils())
                .check(decl);
        if (plan.isEmpty()) return;
        if (!plan.get().weights().isEmpty()) {
            var resource = new WeightsResourceReader(processingEnv.getFiler())
                    .read(decl.packageName(), plan.get().weights());
            if (!new WeightsChecker(diagnostics).check(decl, plan.get(), resource)) return;
        }
        if (Boolean.parseBoolean(processingEnv.getOptions().get(SUMMARY_OPTION))) {
            diagnostics.report(Message.SUMMARY, type, null, null, Summary.of(plan.get()));
        }
        boolean publicApi = type.getModifiers().contains(Modifier.PUBLIC);
        try {
            new ModelWriter(plan.get(), publicApi, type).write().writeTo(processingEnv.getFiler());
        } catch (IOException e) {
            diagnostics.report(
                    Message.WRITE_FAILED, type, null, null, plan.get().modelClass(), writeFailure(e, plan.get()));
        }
    }

    /**
     * Why the model could not be written. The Eclipse compiler's Filer refuses to create any type
     * it can already see, a model class left on the class path by an earlier build included (javac
     * overwrites it, warning only under -Xlint:processing): say what to do about it.
     */
    private String writeFailure(IOException e, NetworkPlan plan) {
        String reason = String.valueOf(e.getMessage());
        String qualified =
                plan.packageName().isEmpty() ? plan.modelClass() : plan.packageName() + "." + plan.modelClass();
        if (e instanceof FilerException && processingEnv.getElementUtils().getTypeElement(qualified) != null) {
            reason += "; a " + plan.modelClass()
                    + " from an earlier build is on the class path and this compiler will not"
                    + " replace it: delete that class (or clean the build) and compile again";
        }
        return reason;
    }

    /** A layer annotation outside a {@code @Network} class would silently do nothing. */
    private void reportStrayLayers(
            Set<? extends TypeElement> annotations,
            RoundEnvironment round,
            NetworkReader reader,
            Diagnostics diagnostics) {
        Set<Element> fields = new LinkedHashSet<>();
        for (TypeElement annotation : annotations) {
            if (!annotation.getQualifiedName().contentEquals(NetworkReader.NETWORK)
                    && !annotation.getQualifiedName().contentEquals(GENERATED)) {
                fields.addAll(round.getElementsAnnotatedWith(annotation));
            }
        }
        {
            for (Element field : fields) {
                Element owner = field.getEnclosingElement();
                boolean inNetwork = owner.getKind() == ElementKind.CLASS
                        && owner.getAnnotationMirrors().stream()
                                .anyMatch(m -> m.getAnnotationType().toString().equals(NetworkReader.NETWORK));
                if (!inNetwork) {
                    String names = reader.layerAnnotations(field).stream()
                            .map(u -> "@" + u.kind().displayName())
                            .collect(Collectors.joining(", "));
                    diagnostics.report(
                            Message.LAYER_OUTSIDE_NETWORK,
                            field,
                            null,
                            null,
                            field.getSimpleName(),
                            names,
                            owner.getSimpleName());
                }
            }
        }
    }
}
