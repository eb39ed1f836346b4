"""Words that name a place (a product's display name) weigh nothing: patterns group by why."""

from __future__ import annotations

import numpy as np

from learnloop.analyze.documents import Document
from learnloop.analyze.encoder import encoder_of
from learnloop.analyze.vectors import IncidentVectorizer


def doc(words: str, place: str, mode: str) -> Document:
    return Document(words=words, chars="", facts=(f"service={place}",), modes=(mode,))


POOL, CERT = "connection-pool-exhaustion", "certificate-expiry"
SHOP = [
    doc("customers using Storefront saw errors: too many clients already", "web", POOL),
    doc("customers using Storefront saw errors: pool exhausted by slow queries", "web", POOL),
    doc("customers using Storefront saw errors: certificate expired overnight", "web", CERT),
    doc("customers using Storefront saw errors: the certificate was not renewed", "web", CERT),
]
ELSEWHERE = [
    doc("ledger writes failed: too many clients already on the primary", "ledger", POOL),
    doc("ledger writes failed: certificate expired on the replica", "ledger", CERT),
    doc("billing export stalled: the cron host lost its disk", "billing", "disk-full"),
    doc("billing export stalled: disk full on the cron host", "billing", "disk-full"),
]


def weightless(docs: list[Document]) -> set[str]:
    vectorizer = IncidentVectorizer()
    vectorizer.fit_transform(docs)
    names = vectorizer.words_.get_feature_names_out()
    return {names[i] for i in np.flatnonzero(vectorizer.words_.idf_ == 0)}


def test_a_word_in_every_incident_of_one_place_whatever_failed_weighs_nothing():
    gone = weightless(SHOP + ELSEWHERE)
    assert "storefront" in gone
    # What failed, said at that place only in some of its incidents, or a mode's own name,
    # still weighs; so does what a place always fails by (it cannot be told from its name).
    assert not {"certif", "certificate", "pool", "client", "disk", "export", "cron"} & gone


def test_the_shop_incidents_pair_by_what_failed_not_where():
    vectorizer = IncidentVectorizer()
    vectorizer.fit_transform(SHOP + ELSEWHERE)
    words = vectorizer.terms_
    similarity = (words @ words.T).toarray()
    # The pool incident at the shop is nearer the ledger's pool incident than the shop's
    # certificate incident, once the shop's name no longer ties them.
    assert similarity[0, 4] > similarity[0, 2]
    # A query that names only the place is encoded as nothing, not as that place.
    assert not vectorizer.terms([Document(words="Storefront", chars="")]).toarray().any()
    (_, values) = encoder_of(vectorizer).words_of(Document(words="Storefront", chars=""))
    assert not values.any()


def test_a_word_of_one_way_of_failing_is_never_a_place_however_common_there():
    api = [doc(f"the api pool saturated again, case {n}", "api", POOL) for n in range(4)]
    api.append(doc("the api host ran out of disk", "api", "disk-full"))
    gone = weightless(api + SHOP + ELSEWHERE)
    assert "saturat" not in gone  # in four of five, all failing one way
    assert "api" in gone  # in all five, failing two ways


def test_a_place_that_is_most_of_the_corpus_is_no_place_apart_and_weights_stay_tf_idf():
    vectorizer = IncidentVectorizer()
    vectorizer.fit_transform(SHOP + ELSEWHERE[:2])
    assert not (vectorizer.words_.idf_ == 0).any()  # "storefront" is most of this corpus
    first = vectorizer.terms_[0].data
    assert len(set(np.round(first, 5))) > 1  # weighted by idf, never mere presence
