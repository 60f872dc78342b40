"""The examples in the docstrings run and print what they say."""
import doctest

import pytest

import infomax
from infomax import _estimate, probe, tasks


@pytest.mark.parametrize("module", [infomax, _estimate, tasks, probe], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def test_the_extension_needs_no_system_library_beyond_manylinux():
    # the wheel carries its own OpenBLAS (maturin's repair step, `cargo xtask wheel`): every library
    # the extension loads is either in the manylinux base set or shipped in infomax.libs
    import pathlib
    import shutil
    import subprocess

    ldd = shutil.which("ldd")
    if ldd is None:
        pytest.skip("no ldd on this system")
    native = next(pathlib.Path(infomax.__file__).parent.glob("_native*.so"))
    out = subprocess.run([ldd, str(native)], capture_output=True, text=True, check=True).stdout
    base = ("linux-vdso", "libc.so", "libm.so", "libgcc_s.so", "ld-linux", "libpthread.so", "libdl.so", "librt.so")
    for line in out.splitlines():
        name = line.split()[0]
        if name.startswith(base) or name.startswith("/"):
            continue
        assert "infomax.libs" in line, f"{name} is loaded from outside the wheel: {line.strip()}"
        assert "not found" not in line, line
