package io.nerva.keras;

import java.util.List;

/**
 * A Keras model that Nerva cannot express: the message lists every unsupported item and where it is
 * (layer position, name, class, option), so that one run shows everything to change.
 */
public final class UnsupportedKerasModelException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * One thing Nerva cannot express.
     *
     * @param layerIndex position in the Keras model's layer list (1-based, counting the InputLayer), 0 for the model as a whole
     * @param layerName  the Keras layer name, or {@code null} for the model as a whole
     * @param className  the Keras class
     * @param option     the config option at fault, or {@code null} for the layer (or model) as a whole
     * @param detail     why
     */
    public record Item(int layerIndex, String layerName, String className, String option, String detail) {
        @Override
        public String toString() {
            String where = layerName == null
                    ? "model (" + className + ")"
                    : "layer #" + layerIndex + " '" + layerName + "' (" + className + ")";
            return where + (option == null ? "" : ", option " + option) + ": " + detail;
        }
    }

    private final transient List<Item> items;

    public UnsupportedKerasModelException(String source, List<Item> items) {
        super(message(source, items));
        this.items = List.copyOf(items);
    }

    public List<Item> items() {
        return items;
    }

    private static String message(String source, List<Item> items) {
        StringBuilder sb = new StringBuilder(source + ": Nerva cannot express " + items.size() + " part"
                + (items.size() == 1 ? "" : "s") + " of this Keras model (nothing was written):");
        for (Item i : items) sb.append("\n  - ").append(i);
        return sb.toString();
    }
}
