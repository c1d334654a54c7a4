"""Models of the rating year, one module per concept."""

from .campaign import Assessment, Campaign, CampaignKind, CampaignStatus, Criterion, QuotaMode

__all__ = [
    "Assessment",
    "Campaign",
    "CampaignKind",
    "CampaignStatus",
    "Criterion",
    "QuotaMode",
]
