package io.tophat.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The wrk scripts the jar carries (under {@code /bench/} on the class path; {@code bench/standard.sh} runs the
 * same files from {@code server/src/main/resources/bench}). wrk reads a script from a file, so each is copied
 * out before use.
 */
enum WrkScript {
    /** Ingest as phones send it: ~200-byte heartbeats over the producers given as script arguments. */
    HEARTBEAT("heartbeat.lua"),
    /** The reference of {@link #HEARTBEAT}: the same body as a constant POST. */
    SAME_BODY("same-body.lua"),
    /** Producers registering, a new id each request (see {@link RegistrationMix}). */
    REGISTER("register.lua");

    private final String file;

    WrkScript(String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    /** Copies the script into {@code folder} (once) and returns its path there. */
    Path copyInto(Path folder) {
        Path target = folder.resolve(file);
        if (Files.exists(target)) {
            return target;
        }
        try (InputStream in = WrkScript.class.getResourceAsStream("/bench/" + file)) {
            if (in == null) {
                throw new IllegalStateException("the jar holds no /bench/" + file);
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy out the wrk script " + file + ": " + e.getMessage(), e);
        }
    }
}
