package io.nerva.runtime;

import io.nerva.annotations.ActivationType;
import io.nerva.annotations.LossFunction;
import io.nerva.runtime.core.NetworkInfo;
import io.nerva.runtime.core.Workspace;

/**
 * What a generated network class implements: the {@link Model} members that only restate its
 * {@link NetworkInfo} come from here, so the generated class holds the constants, the buffers and
 * the forward and backward calls of its network.
 */
public interface GeneratedModel extends Model {

    /** The facts the processor computed for this network. */
    NetworkInfo info();

    @Override
    default String name() {
        return info().name();
    }

    @Override
    default int[] inputShape() {
        return info().inputShape().clone();
    }

    @Override
    default int inputSize() {
        return info().inputSize();
    }

    @Override
    default int outputSize() {
        return info().outputSize();
    }

    @Override
    default ActivationType outputActivation() {
        return info().outputActivation();
    }

    @Override
    default LossFunction declaredLoss() {
        return info().declaredLoss();
    }

    /** The compile-time summary, its trainable counts brought up to date with layers frozen since. */
    @Override
    default String summary() {
        String summary = info().summary();
        if (!info().trainable()) return summary;
        long trained = parameters().trainedCount(), total = parameters().count();
        return summary.replaceFirst(
                        "(?m)^Trainable params: [0-9,]+$",
                        String.format(java.util.Locale.ROOT, "Trainable params: %,d", trained))
                .replaceFirst(
                        "(?m)^Non-trainable params: [0-9,]+$",
                        String.format(java.util.Locale.ROOT, "Non-trainable params: %,d", total - trained));
    }

    @Override
    default String fingerprint() {
        return info().fingerprint();
    }

    /**
     * {@code workspace} as the generated class's own workspace type, after checking it is one, that
     * {@code rows} fits its capacity and that training has a training workspace.
     */
    static <W extends Workspace> W checkedWorkspace(
            Workspace workspace, Class<W> type, String owner, int rows, boolean training) {
        if (!type.isInstance(workspace)) {
            throw new IllegalArgumentException("expected a workspace made by " + owner + ".newWorkspace, got "
                    + (workspace == null ? "null" : workspace.getClass().getName()));
        }
        if (rows < 1 || rows > workspace.capacity()) {
            throw new IllegalArgumentException(
                    "expected 1 to " + workspace.capacity() + " rows (the workspace capacity), got " + rows);
        }
        if (training && !workspace.training()) {
            throw new IllegalStateException("training needs a workspace created with training = true");
        }
        return type.cast(workspace);
    }
}
