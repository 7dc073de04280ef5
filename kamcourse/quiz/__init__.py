"""Quizzes: one item bank, nbgrader notebooks generated from it, and the grading pipeline.

- ``kamcourse.quiz.answers``  reads a trainee's answer leniently and checks its format
  (trainee side: no bank, no keys).
- ``kamcourse.quiz.bank``     loads and validates ``quizzes/bank/<quiz>.yaml`` (instructor side).
- ``kamcourse.quiz.scoring``  the declared scoring rules, as pure functions.
- ``kamcourse.quiz.grading``  ``grade_item``: the one call an nbgrader test cell makes.
- ``kamcourse.quiz.notebook`` generates the nbgrader source notebooks from the bank.
- ``kamcourse.quiz.intake``   pre-validates submissions (JSON, notebook, locked cells).
- ``kamcourse.quiz.stats``    item statistics as Moodle's quiz statistics define them.
- ``kamcourse.quiz.pipeline`` autograde, integrity verdicts, feedback, export, statistics.

Nothing heavy is imported here: test cells import ``kamcourse.quiz.grading`` inside an
nbgrader kernel, once per submission.
"""
