"""One config's run never loses its row: an unexpected error in any stage
(an unreadable cache file, a tool that vanished) becomes that config's
ERROR row, so the verdict is ERROR (exit 2), never a silent drop."""
import types

from kmatrix import runner


class Recorder:
    def __init__(self):
        self.failures, self.stages = [], []

    def add_failure(self, gi, index, label, f):
        self.failures.append((gi, index, label, f))

    def stage(self, pos, label, stage, elapsed, detail):
        self.stages.append((label, stage, detail))


def run_with(exc):
    rec = Recorder()
    ctx = types.SimpleNamespace(groups=[{"objects": ["kernel/fork.o", "mm/slub.o"], "structs": ["task_struct"]}],
                                position={0: "1/1"}, progress=rec, fragment=rec)
    cfg = types.SimpleNamespace(label="x86_64-defconfig", arch="x86_64")
    run = runner.ConfigRun(ctx, 0, cfg)

    def boom(t):
        raise exc
    run.stages = boom
    return run.run(), rec


def test_unexpected_errors_become_error_rows():
    for exc in (PermissionError(13, "Permission denied", "/c/facts/x.json"), ValueError("bad JSON"),
                FileNotFoundError(2, "No such file or directory", "nice")):
        f, rec = run_with(exc)
        assert f.status == "error" and type(exc).__name__ in f.message, f
        assert [r[2] for r in rec.failures] == ["x86_64-defconfig@kernel/fork.o", "x86_64-defconfig@mm/slub.o"]
        assert all(r[3] is f for r in rec.failures)
        assert rec.stages and rec.stages[-1][2].startswith("ERROR: ")


def test_a_bug_is_not_swallowed():
    # A programming error (TypeError, KeyError) is a bug to see, not a row.
    try:
        run_with(KeyError("oops"))
    except KeyError:
        return
    raise AssertionError("KeyError was swallowed")
