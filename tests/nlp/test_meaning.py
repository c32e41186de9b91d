"""The shipped word vectors: what the file holds, and how texts become vectors."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlp.meaning import VECTORS, WordVectors, shipped_vectors


def test_the_shipped_file_holds_single_words_and_small_rows() -> None:
    with np.load(VECTORS, allow_pickle=False) as data:
        words = str(data["words"]).split("\n")
        assert data["vectors"].dtype == np.float16 and data["vectors"].shape == (len(words), shipped_vectors().dimensions)
    assert len(set(words)) == len(words)
    assert all(word and len(word) <= 12 and not any(ch.isspace() for ch in word) for word in words)


def test_words_used_alike_lie_closer_than_unrelated_ones() -> None:
    shipped = shipped_vectors()
    for word, alike, unrelated in (("快递", "物流", "发票"), ("折扣", "优惠", "快递"), ("尺码", "码数", "快递")):
        vector, near, far = shipped.embed([[word], [alike], [unrelated]])
        assert vector @ near > vector @ far + 0.2


def test_a_text_is_the_normalized_sum_of_its_known_words(tmp_path: Path) -> None:
    vectors = WordVectors(["退货", "发票"], np.array([[3.0, 0.0], [0.0, 4.0]], dtype=np.float32))
    both, unknown, empty = vectors.embed([["退货", "发票", "没见过"], ["没见过"], []])
    assert both == pytest.approx([0.6, 0.8])
    assert not unknown.any() and not empty.any()
    vectors.save(tmp_path / "v.npz")
    assert WordVectors.load(tmp_path / "v.npz").embed([["发票"]])[0] == pytest.approx([0.0, 1.0])


def test_a_word_list_that_does_not_match_the_rows_is_refused() -> None:
    with pytest.raises(ValueError, match="2 words but 1 vectors"):
        WordVectors(["退货", "发票"], np.zeros((1, 4), dtype=np.float32))
