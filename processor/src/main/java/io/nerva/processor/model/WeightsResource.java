package io.nerva.processor.model;

import io.nerva.format.SafeTensorsHeader;

/** What the reading room found of a network's embedded weights resource: its header, or why there is none. */
public sealed interface WeightsResource {
    record Found(String where, SafeTensorsHeader header) implements WeightsResource {}

    record NotFound(String looked) implements WeightsResource {}

    record Unreadable(String where, String problem) implements WeightsResource {}
}
