package io.tophat.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which generator drives which scenario, and finding wrk and ab on the PATH. */
class GeneratorTest {

    @Test
    void wrk_drives_the_hot_paths_and_registrations_ab_the_report_s_test_and_the_gets_builtin_all_but_register() {
        assertThat(Generator.WRK.drivenScenarios()).isEqualTo("redirect, read, ingest and register");
        assertThat(Generator.AB.drivenScenarios()).isEqualTo("redirect, read and seed-test-2");
        for (Scenario s : Scenario.values()) {
            assertThat(Generator.BUILTIN.drives(s)).as(s.label()).isEqualTo(s != Scenario.REGISTER);
        }
        assertThat(Generator.of(" WRK ")).isEqualTo(Generator.WRK);
        assertThatThrownBy(() -> Generator.of("siege")).hasMessageContaining("builtin, wrk, ab");
    }

    @Test
    void a_tool_is_found_in_the_first_folder_of_the_path_holding_it_and_missing_says_what_to_install(
            @TempDir Path dir) throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path wrk = Files.createFile(bin.resolve("wrk"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        String path = empty + File.pathSeparator + bin;

        assertThat(Generator.WRK.find(path)).contains(wrk);
        assertThatCode(() -> Generator.WRK.requireOn(path)).doesNotThrowAnyException();
        assertThatCode(() -> Generator.BUILTIN.requireOn("")).doesNotThrowAnyException();
        assertThatThrownBy(() -> Generator.AB.requireOn(path)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--generator ab needs ab on the PATH: apt-get install apache2-utils");
        assertThatThrownBy(() -> Generator.WRK.requireOn(empty.toString()))
                .hasMessage("--generator wrk needs wrk on the PATH: apt-get install wrk");
    }
}
