package io.tophat.testing;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The small tmpfs for disk-full tests: it fills up, refuses writes, takes them again when freed, and goes away. */
@Timeout(60)
class TmpfsMountTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;

    @BeforeEach
    void canMount() {
        assumeTrue(TmpfsMount.possible(), "mounting a tmpfs needs root and the right to mount");
    }

    @Test
    void a_full_mount_refuses_writes_until_it_is_freed_and_is_gone_after_close() throws Exception {
        TmpfsMount mount = TmpfsMount.mount(tmp.resolve("disk"), 4);
        try {
            assertThat(mountsList()).contains(" " + mount.dir() + " ");

            long filled = mount.fill();

            assertThat(filled).isBetween(2 * MIB, 9 * MIB / 2);
            assertThatThrownBy(() -> Files.writeString(mount.dir().resolve("more.txt"), "more"))
                    .isInstanceOf(IOException.class).hasMessageContaining("No space left on device");
            mount.free();
            Files.write(mount.dir().resolve("one.bin"), new byte[(int) MIB]);
            assertThat(Files.size(mount.dir().resolve("one.bin"))).isEqualTo(MIB);
        } finally {
            mount.close();
        }
        assertThat(mountsList()).doesNotContain(" " + mount.dir() + " ");
        assertThat(TmpfsMount.mounted(mount.dir())).isFalse();
    }

    @Test
    void a_busy_mount_is_still_unmounted_by_close() throws Exception {
        TmpfsMount mount = TmpfsMount.mount(tmp.resolve("busy"), 1);
        try (FileChannel open = FileChannel.open(mount.dir().resolve("held.txt"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            mount.close();

            assertThat(open.isOpen()).isTrue();
            assertThat(TmpfsMount.mounted(mount.dir())).isFalse();
        } finally {
            mount.close();
        }
        assertThat(mountsList()).doesNotContain(" " + mount.dir() + " ");
    }

    private static String mountsList() throws IOException {
        return Files.readString(Path.of("/proc/mounts"), StandardCharsets.UTF_8);
    }
}
