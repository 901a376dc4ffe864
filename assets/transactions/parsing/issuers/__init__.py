"""The built-in issuers: one module each, holding its sender headers and ordered formats."""

from __future__ import annotations

from types import ModuleType

from assets.transactions.parsing.format import Format
from assets.transactions.parsing.issuers import (
    airtelpb,
    au,
    axio,
    axis,
    bob,
    canara,
    cred,
    dhanlaxmi,
    fampay,
    federal,
    fi,
    generic,
    hdfc,
    hsbc,
    icici,
    idfc,
    indianbank,
    indusind,
    jiopb,
    jkbank,
    kotak,
    navimf,
    nsdlpb,
    onecard,
    payzapp,
    phonepe,
    pluxee,
    pnb,
    sbi,
    sbicard,
    sib,
    slice,
    suryoday,
    union,
    yes,
)

_MODULES: tuple[ModuleType, ...] = (
    hdfc,
    icici,
    sbi,
    sbicard,
    axis,
    kotak,
    idfc,
    yes,
    indusind,
    federal,
    pnb,
    bob,
    au,
    canara,
    union,
    indianbank,
    dhanlaxmi,
    hsbc,
    suryoday,
    sib,
    jkbank,
    # Wallets, payment apps, fintech cards and fund houses: their formats run only for their
    # own senders (the issuer's formats are looked up by the sender's header).
    fampay,
    payzapp,
    phonepe,
    pluxee,
    onecard,
    slice,
    cred,
    fi,
    navimf,
    axio,
    airtelpb,
    nsdlpb,
    jiopb,
)

ISSUER_BY_HEADER: dict[str, str] = {
    header: module.ISSUER for module in _MODULES for header in module.HEADERS
}
FORMATS_BY_ISSUER: dict[str, tuple[Format, ...]] = {
    module.ISSUER: tuple(module.FORMATS) for module in _MODULES
}
GENERIC_FORMATS: tuple[Format, ...] = tuple(generic.FORMATS)
