"""The examples in the docstrings run and print what they say."""
import doctest

import pytest

import infomax
from infomax import _estimate, probe, tasks


@pytest.mark.parametrize("module", [infomax, _estimate, tasks, probe], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
