package io.tophat.client;

import java.util.List;

/** Part of a producer's history is in stores no live worker could read; the read stops rather than skip it. */
public final class IncompleteHistoryException extends TopHatException {
    private final List<String> missing;

    public IncompleteHistoryException(String producer, List<String> missing) {
        super("the history of " + producer + " is incomplete: the stores of " + String.join(", ", missing)
                + " cannot be read now; try again later", null);
        this.missing = List.copyOf(missing);
    }

    /** The workers whose stores could not be read. */
    public List<String> missing() {
        return missing;
    }
}
