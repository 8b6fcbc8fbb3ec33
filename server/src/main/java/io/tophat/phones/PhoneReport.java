package io.tophat.phones;

import java.util.List;

/**
 * What one message of a phone app said: whose positions, the credential it carried, and the positions (none for a
 * message without one, such as an OwnTracks waypoint).
 *
 * @param producer the TopHat producer id
 * @param token    the producer token the app presented (OsmAnd {@code token}, OwnTracks Basic password), or null
 * @param fixes    its positions, oldest first as the app sent them
 */
public record PhoneReport(String producer, String token, List<PhoneFix> fixes) {
    public PhoneReport {
        fixes = List.copyOf(fixes);
    }
}
