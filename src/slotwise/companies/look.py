"""A company's branding as the invitee pages apply it: colours as CSS custom properties (with
a text colour that keeps its contrast), its name, our footer or not, who may frame the pages."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.companies import schemas as s
from slotwise.companies.repository import BrandingRepository
from slotwise.companies.service import logo_path
from slotwise.db.tenancy import CompanyId
from slotwise.models import CompanyBranding, PersonalPage

DARK_TEXT = "#111827"
LIGHT_TEXT = "#ffffff"


@dataclass(frozen=True)
class Brand:
    name: str | None = None
    #: CSS custom properties for `:root`, built only from validated #RRGGBB colours
    colors: Mapping[str, str] = field(default_factory=dict)
    powered_by: bool = True
    privacy_url: str | None = None
    language: str | None = None
    frame_ancestors: str = "*"
    #: the logo's path on this server
    logo: str | None = None

    @property
    def style(self) -> str:
        """The colours as CSS declarations."""
        return "; ".join(f"{name}: {value}" for name, value in self.colors.items())

    def wire(self) -> s.PageLook:
        """The look for a page that learns whose it is only in the browser (the manage page)."""
        return s.PageLook(
            display_name=self.name,
            logo_url=self.logo,
            colors=dict(self.colors),
            hide_powered_by=not self.powered_by,
            privacy_policy_url=self.privacy_url,
        )


DEFAULT_BRAND = Brand()
#: for a page that learns its look in the browser: nothing of ours shown before it does
UNDRESSED = Brand(powered_by=False)


def _luminance(color: str) -> float:
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(color[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_on(color: str) -> str:
    """White or near-black, whichever contrasts more with `color` (WCAG relative luminance)."""
    light = _luminance(color)
    on_white = (1.05) / (light + 0.05)
    on_dark = (light + 0.05) / (_luminance(DARK_TEXT) + 0.05)
    return LIGHT_TEXT if on_white >= on_dark else DARK_TEXT


def _colors(primary: str | None, secondary: str | None) -> dict[str, str]:
    colors: dict[str, str] = {}
    if primary:
        colors |= {"--brand": primary, "--brand-text": text_on(primary)}
    if secondary:
        colors |= {"--brand-soft": secondary, "--brand-soft-text": text_on(secondary)}
    return colors


def with_personal_colors(brand: Brand, page: PersonalPage | None) -> Brand:
    """A host's own colours replace the company's on that host's pages, when they chose so."""
    if page is None or not page.use_custom_colors:
        return brand
    return replace(brand, colors=_colors(page.primary_color, page.secondary_color))


async def brand_of(session: AsyncSession, company_id: CompanyId) -> Brand:
    return brand_from(await BrandingRepository(session, company_id).current())


def brand_from(row: CompanyBranding | None) -> Brand:
    if row is None:
        return DEFAULT_BRAND
    origins = " ".join(str(origin) for origin in row.allowed_embed_origins)
    return Brand(
        name=row.display_name,
        colors=_colors(row.primary_color, row.secondary_color),
        powered_by=not row.hide_powered_by,
        privacy_url=row.privacy_policy_url,
        language=row.default_language,
        frame_ancestors=origins or "*",
        logo=logo_path(row),
    )
