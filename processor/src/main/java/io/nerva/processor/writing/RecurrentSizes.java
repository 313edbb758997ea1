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
            case SIMPLE_RNN -> t * (f + 2 * u) + u; // placeholder until the kernels land
            case LSTM -> t * (f + 6 * u) + 2 * u;
            case GRU -> t * (f + 5 * u) + u;
        };
    }

    static long scratchPerRow(LayerPlan.Recurrent r) {
        long t = r.timesteps(), u = r.units();
        return switch (r.cell()) {
            case SIMPLE_RNN -> t * u + 2 * u;
            case LSTM -> t * 4 * u + 4 * u;
            case GRU -> t * 3 * u + 4 * u;
        };
    }
}
