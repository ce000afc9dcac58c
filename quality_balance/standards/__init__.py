"""Stage 0 — standards as data: profiles (thresholds, weights, limits) and plans (targets).

Both are TOML files shipped in ``profiles/`` and ``plans/`` beside these modules;
a user adds one by writing a file. Nothing in the method stage hard-codes a
threshold: it reads the county's :class:`Profile`.
"""
from .profile import Profile, available_profiles, load_profile, profile_for_place, profiles_by_county
from .plan import Plan, Target, available_plans, load_plan

__all__ = ["Profile", "load_profile", "available_profiles", "profile_for_place", "profiles_by_county",
           "Plan", "Target", "load_plan", "available_plans"]
