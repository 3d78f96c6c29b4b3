"""Grades as a course's LMS imports them: the roster that maps submissions to students, and the formats."""
