package io.tophat.phones;

/** A message a phone app sent that cannot become heartbeats; {@link #error} and {@link #detail} say why. */
public final class PhoneMessageException extends RuntimeException {
    private final String error;
    private final String detail;

    public PhoneMessageException(String error, String detail) {
        super(error + ": " + detail, null, false, false);
        this.error = error;
        this.detail = detail;
    }

    public String error() {
        return error;
    }

    public String detail() {
        return detail;
    }
}
