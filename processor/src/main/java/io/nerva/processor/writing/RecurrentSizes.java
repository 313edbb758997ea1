package io.nerva.processor.writing;

import io.nerva.processor.model.LayerPlan;

/**
 * Floats per batch row of a recurrent layer's {@code state} and {@code scratch} buffers: the closed
 * formulas documented on the runtime kernels' specs (which check their buffers against them).
 */
final class RecurrentSizes {
    private RecurrentSizes() {}

    static long statePerRow(LayerPlan.Recurrent r) {
        long t = r.timesteps(), f = r.features(), u = r.units();
        return switch (r.cell()) {
            case SIMPLE_RNN -> t * (f + 2 * u) + u;
            case LSTM -> t * (f + 11 * u) + u;
            case GRU -> t * (f + (r.resetAfter() ? 10 : 8) * u) + u;
        };
    }

    static long scratchPerRow(LayerPlan.Recurrent r) {
        long t = r.timesteps(), f = r.features(), u = r.units();
        return switch (r.cell()) {
            case SIMPLE_RNN -> t * (f + u) + u;
            case LSTM -> t * (f + 4 * u) + 2 * u;
            case GRU -> r.resetAfter() ? t * (f + 6 * u) + u : t * (f + 3 * u) + 2 * u;
        };
    }
}
