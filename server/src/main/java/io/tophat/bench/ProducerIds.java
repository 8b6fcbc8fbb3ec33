package io.tophat.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The producers a bench run uses: decimal ids {@code first .. first+count-1}, all of the same width (so a
 * prepared body can take any of them in place), for example 1000000 to 1009999 or the report's 3000 to 3019.
 */
public record ProducerIds(long first, int count) {
    /** The ids of the bench's own producers start here: seven digits for up to 9,000,000 producers. */
    public static final long BENCH_FIRST = 1_000_000L;

    public ProducerIds {
        if (count < 1) {
            throw new IllegalArgumentException("the number of producers must be at least 1, not " + count);
        }
        if (first < 0 || Long.toString(first).length() != Long.toString(first + count - 1).length()) {
            throw new IllegalArgumentException("producer ids " + first + ".." + (first + count - 1)
                    + " must all have the same number of digits; use fewer producers");
        }
    }

    /** The bench's own producers: {@code count} ids from {@link #BENCH_FIRST}. */
    public static ProducerIds bench(int count) {
        return new ProducerIds(BENCH_FIRST, count);
    }

    /** The id of the {@code i}-th producer (wrapping round). */
    public long id(long i) {
        return first + Math.floorMod(i, count);
    }

    public String idText(long i) {
        return Long.toString(id(i));
    }

    /** How many digits every id has. */
    public int width() {
        return Long.toString(first).length();
    }

    /** One string per producer, made with {@code format} (a {@link String#format} pattern taking the id). */
    public List<String> each(String format) {
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(String.format(format, idText(i)));
        }
        return out;
    }
}
