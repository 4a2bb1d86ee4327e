"""A statement's versions as a reviewer reads them: every saved version, the one chosen, and
what changed in it against the version before and against the approved wording."""

from responses.diff import has_changes, word_diff


class StatementVersions:
    """The versions of ``statement`` with ``wanted`` (a version number, or None for the newest)
    chosen, and ``yours`` the version the reader last approved (a stage of the approval chain)
    or None. Queries the history once, when made."""

    def __init__(self, statement, wanted=None, yours=None):
        self.statement = statement
        self.yours = yours
        # Every save through a verb or the edit form bumps the version, so a version normally
        # has one row; should one have several, its last row is what it said.
        latest = {}
        for record in statement.history.select_related("history_user").order_by("history_id"):
            latest[record.version] = record
        self.oldest_first = [latest[version] for version in sorted(latest)]
        # An unknown number is ignored: the newest is shown.
        self.selected = latest.get(wanted) or (self.oldest_first[-1] if latest else None)

    @property
    def newest_first(self):
        return list(reversed(self.oldest_first))

    def comparisons(self):
        """Word diffs of the selected version against the one before and the approved one."""
        if self.selected is None:
            return []
        comparisons = []
        index = self.oldest_first.index(self.selected)
        if index > 0:
            before = self.oldest_first[index - 1]
            comparisons.append(self._compare("the previous version", before))
        approved = next(
            (r for r in self.oldest_first if r.version == self.statement.approved_version), None
        )
        if approved is not None and approved.version != self.selected.version:
            comparisons.append(self._compare("the approved version", approved))
        # What this reader approved last (at any stage): each approver reads what changed since.
        mine = next((r for r in self.oldest_first if r.version == self.yours), None)
        if mine is None or mine.version == self.selected.version:
            return comparisons
        for comparison in comparisons:
            if comparison["before"].version == mine.version:
                comparison["name"] += ", what you approved"
                return comparisons
        comparisons.append(self._compare("what you approved", mine))
        return comparisons

    def _compare(self, name, before):
        after = self.selected
        segments = word_diff(before.body, after.body)
        field = type(self.statement)._meta.get_field("target_platforms")
        return {
            "name": name,
            "before": before,
            "segments": segments,
            "body_changed": has_changes(segments),
            "platforms_before": field.labels(before.target_platforms),
            "platforms_after": field.labels(after.target_platforms),
            "platforms_changed": before.target_platforms != after.target_platforms,
            "kind_changed": before.kind != after.kind,
        }
