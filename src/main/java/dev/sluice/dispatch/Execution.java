package dev.sluice.dispatch;

/**
 * One job running on one worker thread, and the only way to interrupt it: an interruption names its
 * reason and reaches the thread only while this job runs there, never the next job of that thread.
 */
final class Execution {

    enum Interruption { CANCEL, TIMEOUT, SHUTDOWN }

    private Thread thread;
    private Interruption reason;
    private boolean finished;

    /** Called on the worker thread before the handler runs. */
    synchronized void begin() {
        thread = Thread.currentThread();
        if (reason != null) {
            thread.interrupt();
        }
    }

    /** Interrupts the job's thread for {@code why}, unless the job has finished; the first reason wins. */
    synchronized void interrupt(Interruption why) {
        if (finished || reason != null) {
            return;
        }
        reason = why;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /**
     * Called on the worker thread when the handler has returned: no interruption can reach the thread
     * after this, and one that landed is cleared so the thread's next job starts clean.
     *
     * @return why the job was interrupted, or null
     */
    synchronized Interruption finish() {
        finished = true;
        thread = null;
        Thread.interrupted();
        return reason;
    }
}
